using System.Text.Json.Nodes;

namespace LlmLoc.Models;

/// <summary>config.json of a checkpoint. (Placeholder: the model-runtime work fills it in.)</summary>
public sealed class ModelConfig
{
    public required string ModelType { get; init; }
    public required int NumLayers { get; init; }
    public required int HiddenSize { get; init; }
    public required int VocabSize { get; init; }
    public int? BosTokenId { get; init; }
    public int? EosTokenId { get; init; }
    public int? PadTokenId { get; init; }
    public JsonObject Raw { get; init; } = new();
}
