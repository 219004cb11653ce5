using LlmLoc.Hub;
using LlmLoc.Models;
using LlmLoc.Tokenization;

namespace LlmLoc.Sessions;

/// <summary>
/// The tokenizer of a <see cref="ModelRequest"/> without its weights: what a custom localizer's cache name needs
/// (its hash is over token ids) before any model work. It is the tokenizer <see cref="ModelSession.Open"/> gives.
/// </summary>
public static class TokenizerSource
{
    public static HfTokenizer Open(ModelRequest request, TextWriter? log = null)
    {
        // As ModelSession: an untrained built-in GPT-2 size has the embedded GPT-2 tokenizer and no folder.
        if (request.Untrained && Gpt2Configs.Names.Contains(request.ModelName) && !Directory.Exists(request.ModelName))
            return HfTokenizer.Gpt2Embedded();
        string folder = ModelLocator.Resolve(request.ModelName, new HubOptions(Offline: request.Offline, Progress: log, WithoutWeights: true));
        return HfTokenizer.FromFolder(folder);
    }
}
