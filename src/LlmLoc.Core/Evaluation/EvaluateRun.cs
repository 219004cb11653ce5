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
        if (options.TableOut is { } tablePath) IO.AtomicFile.CheckCanWriteFile(tablePath, "--table");
        var tasks = new EvaluationTasks(
            options.MinimalPairsFile is { } pairs ? MinimalPairs.Load(pairs) : [],
            options.TextFile is { } text ? TextDocuments.Load(text) : [],
            options.Blimp is { } blimp ? LoadBlimp(blimp, options, stderr) : []);
        LesionUncertainty.CheckItemCounts(tasks, options);
        var conditions = Conditions(options, stderr);
        foreach (var condition in conditions) options.Model.CheckFits(condition.Mask);

        using var session = ModelSession.Open(options.Model, stderr);
        var result = Evaluator.Run(options.Model.ModelName, session.Model, session.Tokenizer, conditions, tasks, options.BatchSize,
            options.MaxTokensPerWindow, stderr, minimumItems: Statistics.Uncertainty.MinimumBootstrapItems);
        var uncertainty = LesionUncertainty.Compute(result, options.BootstrapSamples, options.ResolvedBootstrapSeed);

        EvaluationTable.Write(result, uncertainty, stdout);
        // Both files or neither.
        using (var outputs = new IO.OutputSet())
        {
            if (options.JsonOut is { } json) outputs.Add(json, s => EvaluationExport.WriteJson(result, uncertainty, s));
            if (options.TableOut is { } table) IO.TableFile.Add(outputs, table, EvaluationExport.ToItemRows(result));
            outputs.Commit();
        }
        foreach (var written in new[] { options.JsonOut, options.TableOut }.OfType<string>())
            stderr.WriteLine($"llmloc: wrote {written}");
        return result;
    }

    static IReadOnlyList<MinimalPair> LoadBlimp(IReadOnlyList<string> requested, EvaluateOptions options, TextWriter log)
    {
        var (dir, explicitDir) = BlimpStore.Locate(options.BlimpDir);
        return BlimpStore.FromEnvironment(options.Model.Offline).Load(BlimpParadigms.Select(requested), dir, explicitDir, options.Limit, log);
    }

    /// <summary>none → one unlesioned run; a network → its mask; random → one mask per seed seed, seed+1, …,
    /// each drawn like the --random-like network's mask. One resolver serves every lesion verb.</summary>
    public static IReadOnlyList<LesionCondition> Conditions(EvaluateOptions options, TextWriter? warnings = null)
    {
        // A custom localizer's cache network is resolved once for all conditions (its hash needs the tokenizer).
        options = options with { Mask = LocalizerReference.Resolve(options.Mask, options.Model) };
        var conditions = new List<LesionCondition>();
        foreach (string network in options.Conditions.Distinct())
        {
            int seeds = network == Networks.Random ? options.RandomSeeds : 1;
            for (int i = 0; i < seeds; i++)
            {
                int seed = options.Model.Seed + i;
                var resolved = LesionMaskResolver.Resolve(options.Lesion(network, seed), warnings);
                if (resolved.Mask is not null) warnings = null; // the flags' warnings once
                conditions.Add(LesionCondition.From(resolved, network == Networks.Random ? seed : null));
            }
        }
        return conditions;
    }
}
