using LlmLoc.Hub;
using LlmLoc.Tokenization;

namespace LlmLoc.Sessions;

/// <summary>
/// The tokenizer of a model specification without its weights: what a custom localizer's cache name needs (its hash
/// is over token ids) before any model work. It is the tokenizer <see cref="ModelSession.Open"/> gives.
/// </summary>
public static class TokenizerSource
{
    public static HfTokenizer Open(ModelSpec model, TextWriter? log = null)
    {
        if (model.IsBuiltInGpt2) return HfTokenizer.Gpt2Embedded();
        string folder = ModelLocator.Resolve(model.ModelName, new HubOptions(Offline: model.Offline, Progress: log, WithoutWeights: true));
        return HfTokenizer.FromFolder(folder);
    }
}
