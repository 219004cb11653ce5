using LlmLoc.Masks;
using System.CommandLine;
using LlmLoc.Evaluation;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc evaluate</c>: perplexity and minimal-pair accuracy with no lesion, the language lesion and
/// random lesions of the same size.</summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var modelName = SharedFlags.ModelName();
        var percentage = new Option<double>("--percentage") { Description = "percentage of the cached language mask", DefaultValueFactory = _ => 1.0 };
        var pooling = SharedFlags.Pooling("pooling of the cached language mask");
        var range = SharedFlags.LocalizeRange("localize range of the cached language mask");
        var network = new Option<string?>("--network") { Description = "a single condition: none, language or random" };
        network.AcceptOnlyFromAmong(Networks.EvaluationOrder);
        var networks = new Option<string[]>("--networks") { Description = "conditions to compare (default: none language random)", AllowMultipleArgumentsPerToken = true };
        networks.AcceptOnlyFromAmong(Networks.EvaluationOrder);
        var mask = new Option<string?>("--mask") { Description = "language mask .npy to use instead of the cache" };
        var seed = SharedFlags.Seed("seed of the first random mask (and of untrained weights)");
        var randomSeeds = new Option<int>("--random-seeds") { Description = "number of random control masks (seeds seed, seed+1, …)", DefaultValueFactory = _ => 5 };
        var device = SharedFlags.Device();
        var cacheDir = SharedFlags.CacheDir("where cached masks are (default: $LOC_CACHE, else cache)");
        var untrained = SharedFlags.Untrained("evaluate a randomly initialised model of the same architecture");
        var offline = SharedFlags.Offline();
        var batchSize = new Option<int>("--batch-size") { Description = "sequences per forward pass (results do not depend on it)", DefaultValueFactory = _ => 8 };
        var text = new Option<string?>("--text") { Description = "text to compute loss and perplexity on (plain text, or JSONL with a \"text\" field)" };
        var maxTokens = new Option<int?>("--max-tokens-per-window") { Description = "cap on the window size for --text (default: min(2048, the model's context))" };
        var pairs = new Option<string?>("--minimal-pairs")
        {
            Description = "BLiMP-style JSONL (sentence_good, sentence_bad); 'builtin' or no value = llmloc's built-in pairs",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var blimp = new Option<string[]>("--blimp")
        {
            Description = "BLiMP paradigms to score (no value or 'all': all 67); fetched once into ./blimp (pinned commit, sha256-checked)",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var blimpDir = new Option<string?>("--blimp-dir") { Description = "a copy of BLiMP's data/*.jsonl (default: $LLMLOC_BLIMP, else ./blimp, fetched once)" };
        var limit = new Option<int?>("--limit") { Description = "score only the first N pairs of each BLiMP paradigm (quick runs)" };
        var json = new Option<string?>("--json") { Description = "write per-pair and per-window scores to this JSON file" };
        var parquet = new Option<string?>("--parquet") { Description = "write per-pair and per-window scores to this Parquet file" };

        var command = new Command("evaluate", "Measure what a lesion does: perplexity and minimal-pair accuracy with no lesion, the language lesion and random lesions.")
        {
            modelName, percentage, pooling, range, network, networks, mask, seed, randomSeeds, device, cacheDir, untrained, offline,
            batchSize, text, maxTokens, pairs, blimp, blimpDir, limit, json, parquet,
        };
        var modelFlags = new ModelFlags();
        modelFlags.AddTo(command);
        var bootstrapSamples = new Option<int>("--bootstrap-samples") { Description = "resamples behind each bootstrap interval", DefaultValueFactory = _ => LlmLoc.Statistics.Uncertainty.DefaultBootstrapSamples };
        var bootstrapSeed = new Option<int?>("--bootstrap-seed") { Description = "seed of the bootstrap resamples (default: --seed)" };
        command.Options.Add(bootstrapSamples);
        command.Options.Add(bootstrapSeed);
        command.SetAction(parse =>
        {
            string? single = parse.GetValue(network);
            string[]? several = parse.GetResult(networks) is null ? null : parse.GetValue(networks);
            if (single is not null && several is not null)
                throw new LlmLocException("give either --network or --networks, not both", ExitCodes.Usage);
            string rangeText = LocalizeRange.Parse(parse.GetValue(range)!).Text;
            var options = new EvaluateOptions
            {
                ModelName = parse.GetValue(modelName)!,
                Percentage = parse.GetValue(percentage),
                Pooling = PoolingNames.Parse(parse.GetValue(pooling)!).ToFlag(),
                Range = rangeText,
                Networks = single is not null ? [single] : several ?? Networks.EvaluationOrder,
                MaskFile = parse.GetValue(mask),
                Seed = parse.GetValue(seed),
                RandomSeeds = parse.GetValue(randomSeeds),
                Device = parse.GetValue(device),
                CacheDir = parse.GetValue(cacheDir),
                Untrained = parse.GetValue(untrained),
                Offline = parse.GetValue(offline),
                Weights = modelFlags.WeightsOf(parse),
                DType = parse.GetValue(modelFlags.DType),
                BatchSize = parse.GetValue(batchSize),
                MaxTokensPerWindow = parse.GetValue(maxTokens),
                TextFile = parse.GetValue(text),
                MinimalPairsFile = parse.GetResult(pairs) is null ? null : parse.GetValue(pairs) ?? MinimalPairs.BuiltinName,
                Blimp = parse.GetResult(blimp) is null ? null : parse.GetValue(blimp) ?? [],
                BlimpDir = parse.GetValue(blimpDir),
                Limit = parse.GetValue(limit),
                JsonOut = parse.GetValue(json),
                ParquetOut = parse.GetValue(parquet),
                BootstrapSamples = parse.GetValue(bootstrapSamples),
                BootstrapSeed = parse.GetValue(bootstrapSeed),
            };
            EvaluateRun.Run(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return ExitCodes.Ok;
        });
        return command;
    }
}
