using LlmLoc.Masks;
using LlmLoc.Sessions;
using LlmLoc.Stimuli;

namespace LlmLoc.Plotting;

/// <summary>plot's --localizer: which localizer's masks, and each model's cache network of it.</summary>
static class PlotLocalizer
{
    /// <summary>The definition named (a bare custom name: a stand-in with that name and no default pooling).</summary>
    public static LocalizerDefinition Read(string reference) =>
        LocalizerReference.Definition(reference) ?? new LocalizerDefinition
        {
            Name = reference,
            LoadStimuli = (_, _) => throw new InvalidOperationException("a bare localizer name has no items"),
            SourceFile = reference,
            ConditionNames = ("positive", "negative"),
        };

    /// <summary>The network of <paramref name="model"/>'s cached masks: a definition file's hash needs that model's tokenizer.</summary>
    public static string CacheNetwork(PlotOptions options, string model, MaskCacheKey key, string cacheDir) =>
        LocalizerReference.CacheNetwork(options.Units.Localizer!, key, cacheDir,
            () => TokenizerSource.Open(new ModelRequest(model, Untrained: options.Untrained, Offline: options.Units.Offline)), options.Units.StimuliDir, seed: 42);
}
