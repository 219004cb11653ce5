using LlmLoc.Masks;
using LlmLoc.Lesion;
using LlmLoc.Sessions;
using LlmLoc.Evaluation.Blimp;

namespace LlmLoc.Evaluation;

/// <summary>The evaluate pipeline: read tasks, resolve masks (before the model loads, so a missing mask fails
/// fast), load the model, score every condition, print the table, write --json/--parquet.</summary>
public static class EvaluateRun
{
    public static EvaluationResult Run(EvaluateOptions options, TextWriter stdout, TextWriter stderr)
    {
        options.Validate();
        if (options.JsonOut is { } jsonPath) IO.AtomicFile.CheckCanWriteFile(jsonPath, "--json");
        if (options.ParquetOut is { } parquetPath) IO.AtomicFile.CheckCanWriteFile(parquetPath, "--parquet");
        var tasks = new EvaluationTasks(
            options.MinimalPairsFile is { } pairs ? MinimalPairs.Load(pairs) : [],
            options.TextFile is { } text ? TextDocuments.Load(text) : [],
            options.Blimp is { } blimp ? LoadBlimp(blimp, options, stderr) : []);
        LesionUncertainty.CheckItemCounts(tasks, options);
        var conditions = Conditions(options);

        using var session = ModelSession.Open(new ModelRequest(options.ModelName, options.Device, options.Untrained, options.Seed, options.Offline, options.Weights, options.DType), stderr);
        var result = Evaluator.Run(options.ModelName, session.Model, session.Tokenizer, conditions, tasks, options.BatchSize,
            options.MaxTokensPerWindow, stderr, minimumItems: Statistics.Uncertainty.MinimumBootstrapItems);
        var uncertainty = LesionUncertainty.Compute(result, options.BootstrapSamples, options.ResolvedBootstrapSeed);

        EvaluationTable.Write(result, uncertainty, stdout);
        // Both files or neither.
        using (var outputs = new IO.OutputSet())
        {
            if (options.JsonOut is { } json) outputs.Add(json, s => EvaluationExport.WriteJson(result, uncertainty, s));
            if (options.ParquetOut is { } parquet) outputs.Add(parquet, s => EvaluationExport.WriteParquet(result, s));
            outputs.Commit();
        }
        foreach (var written in new[] { options.JsonOut, options.ParquetOut }.OfType<string>())
            stderr.WriteLine($"llmloc: wrote {written}");
        return result;
    }

    static IReadOnlyList<MinimalPair> LoadBlimp(IReadOnlyList<string> requested, EvaluateOptions options, TextWriter log)
    {
        var (dir, explicitDir) = BlimpStore.Locate(options.BlimpDir);
        return BlimpStore.FromEnvironment().Load(BlimpParadigms.Select(requested), dir, explicitDir, options.Limit, log);
    }

    /// <summary>none → one unlesioned run; language → the language mask; random → one mask per seed seed, seed+1, ….</summary>
    public static IReadOnlyList<LesionCondition> Conditions(EvaluateOptions options)
    {
        // The same mask choice as generate-lesion (one resolver serves both verbs).
        LesionMaskRequest Request(string network, int seed) => new()
        {
            ModelName = options.ModelName,
            Percentage = options.Percentage,
            Network = network,
            Pooling = PoolingNames.Parse(options.Pooling),
            Range = LocalizeRange.Parse(options.Range),
            Seed = seed,
            Untrained = options.Untrained,
            CacheDir = options.CacheDir,
            MaskFile = network == Networks.None ? null : options.MaskFile,
        };
        UnitMask? Resolve(string network, int seed) => LesionMaskResolver.Resolve(Request(network, seed)).Mask;

        // The rows name the language mask each lesion comes from: the --mask path as given, else the cache file name.
        string languageMask = options.MaskFile ?? Request(Networks.Language, options.Seed).LanguageKey.MaskFileName;
        var conditions = new List<LesionCondition>();
        foreach (string network in options.Networks.Distinct())
        {
            string? maskName = network == Networks.None ? null : languageMask;
            if (network == Networks.Random)
                for (int i = 0; i < options.RandomSeeds; i++)
                    conditions.Add(new LesionCondition(network, options.Seed + i, Resolve(network, options.Seed + i), maskName));
            else
                conditions.Add(new LesionCondition(network, null, Resolve(network, options.Seed), maskName));
        }
        return conditions;
    }
}
