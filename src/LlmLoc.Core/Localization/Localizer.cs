using LlmLoc.Masks;
using LlmLoc.Models;
using LlmLoc.Numerics;
using LlmLoc.Recording;
using LlmLoc.Reporting;
using LlmLoc.Sessions;
using LlmLoc.Statistics;
using LlmLoc.Stimuli;
using LlmLoc.Stimuli.Download;

namespace LlmLoc.Localization;

/// <summary>The localizer pipeline: stimuli → model → recorder → statistics → unit selection → mask cache.</summary>
public static class Localizer
{
    /// <summary>The original truncates each language stimulus to this many tokens (the built-in's max tokens).</summary>
    public static int LanguageMaxTokens => LocalizerDefinition.BuiltIn(Networks.Language)!.MaxTokens!.Value;

    /// <param name="autoFetch">Fetches missing stimuli; default <see cref="StimuliAutoFetch.FromEnvironment"/>.</param>
    public static void Run(LocalizeOptions options, TextWriter stdout, TextWriter stderr, StimuliAutoFetch? autoFetch = null)
    {
        options.Validate();
        options.Mask.WarnAboutSize(stderr);
        var cache = options.Mask.Cache;
        // Cheap checks first: an unwritable output should fail before stimuli are fetched or a model is loaded.
        if (options.StatsOut is { } statsPath) IO.AtomicFile.CheckCanWriteFile(statsPath, "--stats-out");
        var fetch = autoFetch ?? StimuliAutoFetch.FromEnvironment(options.Model.Offline);
        if (options.Mask.Localizer is not null)
        {
            // A custom localizer's cache name needs its token ids: the model's tokenizer reads its items (no weights
            // yet). A copy of a built-in is compared with the built-in's stimuli, fetched first.
            fetch.EnsurePresent(options.Network, options.StimuliDir, stderr, options.StimuliDirExplicit);
            options = options with { Mask = LocalizerReference.Resolve(options.Mask, options.Model, options.StimuliDir, stderr) };
        }
        var key = options.CacheKey;
        string maskPath = cache.MaskPath(key), pValuesPath = cache.PValuesPath(key), tValuesPath = cache.TValuesPath(key);
        foreach (var output in new[] { maskPath, pValuesPath, tValuesPath })
            IO.AtomicFile.CheckNameFits(output, "the cache file");

        if (File.Exists(maskPath) && !options.Overwrite && options.StatsOut is null)
        {
            if (CachedMaskCheck.Problem(options) is not { } problem)
            {
                var cached = UnitMask.Load(maskPath);
                stdout.WriteLine($"> Loading cached mask from {maskPath} (use --overwrite to recompute)");
                stdout.WriteLine($"> Number of units: {cached.Count}");
                return;
            }
            stderr.WriteLine($"llmloc: warning: cached mask {maskPath} is not valid for this run ({problem}); recomputing it");
        }
        // Only a run that writes needs a writable cache: a valid mask is served from a read-only one (shared caches).
        IO.AtomicFile.CheckCanWriteFolder(cache.Folder, "--cache-dir");

        // Stimuli first: a missing folder should fail before a model is downloaded or loaded.
        var definition = options.Mask.Localizer is { } custom && !Networks.IsBuiltIn(key.Network)
            ? LocalizerFile.Read(custom.File) : LocalizerDefinition.BuiltIn(key.Network)!;
        fetch.EnsurePresent(definition.Name, options.StimuliDir, stderr, options.StimuliDirExplicit);
        var stimuli = definition.LoadStimuli(options.StimuliDir, options.Model.Seed);
        if (stimuli.Positive.Count < 2 || stimuli.Negative.Count < 2)
            throw new LlmLocException($"the {options.Network} stimuli in {options.StimuliDir} give {stimuli.Positive.Count} positive and " +
                $"{stimuli.Negative.Count} negative items; the t-test needs at least 2 of each: restore the stimuli (llmloc stimuli download)");
        using var session = ModelSession.Open(options.Model, stderr);
        var site = options.Mask.Site;
        int layers = session.Model.NumLayers, hidden = session.Model.UnitsPerLayer(site);
        long units = key.UnitsToSelect(layers, hidden);

        var prepared = LocalizerReference.Tokenize(definition, stimuli, session.Tokenizer, builtIn: definition.IsBuiltIn);
        var positiveIds = prepared.PositiveIds;
        var negativeIds = prepared.NegativeIds;
        Models.ModelInputs.Check(session.Model.Config, positiveIds.Concat(negativeIds), $"{options.Network} stimulus");
        int total = positiveIds.Count + negativeIds.Count;
        // Both conditions in one run: a streamed model reads each block once.
        var all = StepProgress.Run($"{options.Network} stimuli through {session.ModelId}", total, stderr, done =>
            ActivationRecorder.Record(session.Model, [.. positiveIds, .. negativeIds], options.Pooling, options.BatchSize, session.Tokenizer.PadTokenId, done, site));
        long split = (long)positiveIds.Count * layers * hidden;
        // Views, not copies: for a 13B model each half is 0.4 GB.
        ReadOnlyMemory<double> positive = all.AsMemory(0, (int)split), negative = all.AsMemory((int)split);

        var stats = LocalizerStatistics.Compute(positive, negative, layers, hidden);
        var range = options.Mask.Range;
        long[] mask = UnitSelection.Select(stats.T, range.Low, range.High, (int)units, options.Model.Seed, out int nonFiniteDropped);
        if (stats.NanUnits > 0)
            stderr.WriteLine($"llmloc: warning: {stats.NanUnits} unit(s) are constant and equal in both conditions (t and p are NaN); they are never selected and their adjusted p-value is NaN (the original would crash here)");
        if (nonFiniteDropped > 0)
            stderr.WriteLine($"llmloc: warning: {nonFiniteDropped} unit(s) with NaN t ranked inside the selection were left out");

        // Everything is computed before anything is written; the files are renamed into place together, or none is.
        using (var outputs = new IO.OutputSet())
        {
            outputs.Add(maskPath, Npy.ToBytes(mask, layers, hidden));
            outputs.Add(pValuesPath, Npy.ToBytes(stats.PAdjusted, layers, hidden));
            outputs.Add(tValuesPath, Npy.ToBytes(stats.T, layers, hidden));
            if (options.StatsOut is { } statsOut)
                StatsTable.Add(outputs, statsOut, stats, mask);
            outputs.Commit();
        }

        long selected = mask.Sum();
        stdout.WriteLine($"> Model: {options.Model.ModelName} ({layers} layers × {hidden} {site.UnitsNoun()})");
        stdout.WriteLine($"> Network: {key.Network}, pooling: {options.Pooling.ToFlag()}, range: {range.Text}" +
            (site == UnitSite.Residual ? "" : $", site: {site.ToFlag()}"));
        stdout.WriteLine($"> Number of units: {selected}");
        stdout.WriteLine($"> Saved mask to {maskPath}");
        stdout.WriteLine($"> Saved adjusted p-values to {pValuesPath}");
        stdout.WriteLine($"> Saved t-values to {tValuesPath}");
        if (options.StatsOut is { } statsOutPath)
            stdout.WriteLine($"> Saved per-unit statistics to {statsOutPath}");
    }
}
