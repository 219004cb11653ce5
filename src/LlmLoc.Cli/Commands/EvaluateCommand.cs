using System.CommandLine;
using LlmLoc.Evaluation;
using LlmLoc.Masks;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc evaluate</c>: perplexity and minimal-pair accuracy with no lesion, a network's lesion and
/// random lesions of the same size.</summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new ModelFlags("seed of the first random mask (and of untrained weights)", checkNameLate: true);
        var mask = new MaskFlags(MaskFlags.Use.Lesion);
        var network = new Option<string?>("--network") { Description = "a single condition: none, random or a network (language, theory-of-mind, …)" };
        var networks = new Option<string[]>("--networks")
        {
            Description = "conditions to compare, in order (default: none language random, or none NAME random with --localizer); a network's name ablates its cached mask",
            AllowMultipleArgumentsPerToken = true,
        };
        var randomLike = LesionFlags.RandomLike();
        var randomSeeds = new Option<int>("--random-seeds") { Description = "number of random control masks (seeds seed, seed+1, …)", DefaultValueFactory = _ => Defaults.RandomSeeds };
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
            Description = "BLiMP paradigms to score (no value or 'all': all 67; 'list': print them); fetched once into ./blimp (pinned commit, sha256-checked)",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var blimpDir = new Option<string?>("--blimp-dir") { Description = "a copy of BLiMP's data/*.jsonl (default: $LLMLOC_BLIMP, else ./blimp, fetched once)" };
        var limit = new Option<int?>("--limit") { Description = "score only the first N pairs of each BLiMP paradigm (quick runs)" };
        var json = new Option<string?>("--json") { Description = "write per-pair and per-window scores to this JSON file" };
        var table = new Option<string?>("--table", "--parquet") { Description = "write per-pair and per-window scores to this table (.csv or .parquet)" };

        var command = new Command("evaluate", "Measure what a lesion does: perplexity and minimal-pair accuracy with no lesion, a network's lesion and random lesions.")
        {
            network, networks, randomLike, randomSeeds, batchSize, text, maxTokens, pairs, blimp, blimpDir, limit, json, table,
        };
        model.AddTo(command);
        mask.AddTo(command);
        var bootstrapSamples = new Option<int>("--bootstrap-samples") { Description = "resamples behind each bootstrap interval", DefaultValueFactory = _ => LlmLoc.Statistics.Uncertainty.DefaultBootstrapSamples };
        var bootstrapSeed = new Option<int?>("--bootstrap-seed") { Description = "seed of the bootstrap resamples (default: --seed)" };
        command.Options.Add(bootstrapSamples);
        command.Options.Add(bootstrapSeed);
        command.SetAction(parse =>
        {
            string[]? paradigms = parse.GetResult(blimp) is null ? null : parse.GetValue(blimp) ?? [];
            if (paradigms is ["list"])
            {
                Evaluation.Blimp.BlimpParadigms.WriteList(parse.InvocationConfiguration.Output);
                return ExitCodes.Ok;
            }
            string? single = parse.GetValue(network);
            string[]? several = parse.GetResult(networks) is null ? null : parse.GetValue(networks);
            if (single is not null && several is not null)
                throw new LlmLocException("give either --network or --networks, not both", ExitCodes.Usage);
            var options = new EvaluateOptions
            {
                Model = model.Read(parse),
                Mask = mask.Read(parse),
                Networks = single is not null ? [single] : several,
                RandomLike = parse.GetValue(randomLike),
                RandomSeeds = parse.GetValue(randomSeeds),
                BatchSize = parse.GetValue(batchSize),
                MaxTokensPerWindow = parse.GetValue(maxTokens),
                TextFile = parse.GetValue(text),
                MinimalPairsFile = parse.GetResult(pairs) is null ? null : parse.GetValue(pairs) ?? MinimalPairs.BuiltinName,
                Blimp = paradigms,
                BlimpDir = parse.GetValue(blimpDir),
                Limit = parse.GetValue(limit),
                JsonOut = parse.GetValue(json),
                TableOut = parse.GetValue(table),
                BootstrapSamples = parse.GetValue(bootstrapSamples),
                BootstrapSeed = parse.GetValue(bootstrapSeed),
            };
            EvaluateRun.Run(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return ExitCodes.Ok;
        });
        return command;
    }
}
