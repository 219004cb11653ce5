using static LlmLoc.Tests.Infrastructure.CliRunner;
using LlmLoc.Evaluation;

namespace LlmLoc.Tests.Evaluation;

/// <summary>`llmloc evaluate` end to end on the tiny GPT-2 (a symlink named tiny-gpt2 with a cached language mask).</summary>
public class EvaluateCommandTests
{
    [Fact]
    public async Task EvaluatesAllConditionsAndWritesJsonAndParquet()
    {
        var (dir, model, cache, maskPath) = TinyGpt2.WithLanguageMask();
        using var _dir = dir;
        string text = dir.File("text.txt");
        File.WriteAllText(text, "The language network responds to sentences. Lists of nonwords evoke a weaker response in it.");
        string json = dir.File("out/result.json"), parquet = dir.File("out/result.parquet");

        var (code, stdout, stderr) = Run("evaluate", "--model-name", model, "--percentage", "5", "--cache-dir", cache, "--device", "cpu",
            "--minimal-pairs", "--text", text, "--random-seeds", "2", "--max-tokens-per-window", "8", "--json", json, "--parquet", parquet);
        Assert.True(code == 0, stderr);
        Assert.Contains("language", stdout);
        Assert.Contains("subject_verb_agreement", stdout);
        Assert.Contains("none: minimal pairs (sentences): 72 done", stderr);

        var doc = TestJson.Read<EvaluationExport.Document>(json);
        Assert.Equal(["none", "language", "random", "random"], doc.Summary.Select(s => s.Condition));
        Assert.Equal([null, null, 42, 43], doc.Summary.Select(s => s.Seed));
        Assert.Equal([0L, 5, 5, 5], doc.Summary.Select(s => s.MaskedUnits));
        Assert.Equal(4 * 36, doc.Pairs.Count);
        Assert.All(doc.Pairs, p => Assert.Equal(p.LogpGood > p.LogpBad, p.Correct));
        Assert.All(doc.Summary, s => Assert.Equal(doc.Pairs.Where(p => p.Condition == s.Condition && p.Seed == s.Seed).Count(p => p.Correct) / 36.0, s.Accuracy!.Value, 12));
        Assert.All(doc.Summary, s => Assert.Equal(Math.Exp(s.Loss!.Value), s.Perplexity!.Value, 6));
        Assert.Equal(8, doc.WindowSize);
        Assert.Equal(7, doc.Windows.Max(w => w.Tokens));
        var noneWindows = doc.Windows.Where(w => w.Condition == "none").ToList();
        Assert.Equal(doc.Summary[0].Tokens, noneWindows.Sum(w => w.Tokens));
        Assert.Equal(noneWindows.Sum(w => w.Loss * w.Tokens) / noneWindows.Sum(w => w.Tokens), doc.Summary[0].Loss!.Value, 9);

        var read = await Parquet.Serialization.ParquetSerializer.DeserializeAsync<EvaluationExport.ItemRow>(parquet);
        Assert.Equal(["kind", "condition", "network", "mask", "seed", "pair", "window", "paradigm", "phenomenon", "logp_good", "logp_bad", "correct", "document", "tokens", "loss",
                "sentence_good", "sentence_bad"],
            read.Schema.GetDataFields().Select(f => f.Name));
        var rows = read.Data;
        Assert.Equal(doc.Pairs.Count + doc.Windows.Count, rows.Count);
        Assert.Equal(doc.Pairs[40].LogpGood, rows.Where(r => r.kind == "pair").ElementAt(40).logp_good);
        Assert.Equal(doc.Windows.Select(w => w.Loss), rows.Where(r => r.kind == "window").Select(r => r.loss!.Value));
        Assert.Equal(doc.Pairs.Select(p => p.Pair), rows.Where(r => r.kind == "pair").Select(r => r.pair!.Value));
        Assert.Equal(doc.Windows.Select(w => w.Window), rows.Where(r => r.kind == "window").Select(r => r.window!.Value));
        Assert.Equal(doc.Pairs.Select(p => p.SentenceGood), rows.Where(r => r.kind == "pair").Select(r => r.sentence_good));
        Assert.Equal(doc.Pairs.Select(p => p.Mask), rows.Where(r => r.kind == "pair").Select(r => r.mask));

        // Uncertainty: the rows name their sentences and mask, the stderr is mean_stderr, the comparisons are printed.
        using (var raw = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json)))
            Assert.Equal(2, raw.RootElement.GetProperty("format_version").GetInt32());
        var builtin = MinimalPairs.Builtin();
        Assert.Equal(builtin.Select(p => (p.Good, p.Bad)), doc.Pairs.Take(36).Select(p => (p.SentenceGood!, p.SentenceBad!)));
        Assert.Equal([null, maskPath, maskPath, maskPath], doc.Summary.Select(s => s.Mask));
        Assert.All(doc.Pairs, p => Assert.Equal(p.Condition == "none" ? null : maskPath, p.Mask));
        Assert.All(doc.Summary, s => Assert.Equal(Math.Sqrt(s.Accuracy!.Value * (1 - s.Accuracy.Value) / 35), s.AccuracyStderr!.Value, 12));
        var uncertainty = doc.Uncertainty!;
        Assert.Equal((10_000, 42u), (uncertainty.BootstrapSamples, uncertainty.BootstrapSeed));
        Assert.Equal(["minimal pairs", "text"], uncertainty.Comparisons.Select(c => c.Task));
        var rank = uncertainty.Comparisons[0].RandomAtLeastAsHarmful!.Value;
        Assert.Equal(2, rank.N);
        Assert.Contains($"random lesions at least as harmful as the language lesion: {rank.K} of 2", stdout);
        var languageDelta = uncertainty.Comparisons[0].NetworkMinusNone!;
        Assert.Equal(doc.Summary[1].Accuracy!.Value - doc.Summary[0].Accuracy!.Value, languageDelta.Value, 12);
        Assert.InRange(languageDelta.Value, languageDelta.Ci95.Low, languageDelta.Ci95.High);
        Assert.Contains("10000 resamples, seed 42", stdout);
        Assert.Matches(@"none\s+1\s+0\s+[\d.]+\s+\+0\.0000\s+[\d.]+\s+\[[\d.]+, [\d.]+\]", stdout);
    }

    [Fact]
    public void RandomSeedsDefaultsToFiveAndAMaskFileIsNamedAsGiven()
    {
        var (dir, model, _, maskPath) = TinyGpt2.WithLanguageMask();
        using var _dir = dir;
        string pairs = dir.File("pairs.jsonl"), json = dir.File("out.json");
        File.WriteAllLines(pairs, MinimalPairs.Builtin().Take(3).Select(p =>
            System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["sentence_good"] = p.Good, ["sentence_bad"] = p.Bad })));
        var (code, stdout, stderr) = Run("evaluate", "--model-name", model, "--mask", maskPath, "--device", "cpu",
            "--minimal-pairs", pairs, "--bootstrap-seed", "7", "--bootstrap-samples", "500", "--json", json);
        Assert.True(code == 0, stderr);
        var doc = TestJson.Read<EvaluationExport.Document>(json);
        Assert.Equal([null, null, 42, 43, 44, 45, 46], doc.Summary.Select(s => s.Seed));
        Assert.Equal([null, maskPath, maskPath, maskPath, maskPath, maskPath, maskPath], doc.Summary.Select(s => s.Mask));
        Assert.Equal((500, 7u), (doc.Uncertainty!.BootstrapSamples, doc.Uncertainty.BootstrapSeed));
        Assert.Contains("mean of 5 random masks", stdout);
        Assert.Contains("random lesions at least as harmful as the language lesion: ", stdout);
        Assert.Contains("500 resamples, seed 7", stdout);
    }

    [Theory]
    [InlineData("--random-seeds 0", "llmloc: error: --random-seeds 0 is out of range: give 1 or more")]
    [InlineData("--bootstrap-samples 0", "llmloc: error: --bootstrap-samples 0 is out of range: give 1 to 1000000 (default 10000)")]
    [InlineData("--bootstrap-seed -1", "llmloc: error: --bootstrap-seed -1 is negative: numpy seeds must be between 0 and 2**32 - 1")]
    public void BadUncertaintyFlagsAreOneLineUsageErrors(string flag, string message)
    {
        using var dir = new Infrastructure.TempDir();
        var (code, stdout, stderr) = Run(["evaluate", "--model-name", dir.File("no-such-model"), "--minimal-pairs", .. flag.Split(' ')]);
        Assert.Equal(LlmLoc.ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.Equal(message, stderr.Trim());
    }

    [Fact]
    public void ABootstrapOverFewerThanTwoItemsIsRefusedBeforeTheModelLoads()
    {
        using var dir = new Infrastructure.TempDir();
        string pairs = dir.File("one.jsonl"), missingModel = dir.File("no-such-model");
        File.WriteAllText(pairs, "{\"sentence_good\": \"Cats sleep.\", \"sentence_bad\": \"Cats sleeps.\"}\n");
        var (code, _, stderr) = Run("evaluate", "--model-name", missingModel, "--minimal-pairs", pairs);
        Assert.Equal(LlmLoc.ExitCodes.InputError, code);
        Assert.Equal($"llmloc: error: --minimal-pairs {pairs} holds 1 pair: a bootstrap interval needs at least 2; add pairs to the file", stderr.Trim());

        var (blimpCode, _, blimp) = Run("evaluate", "--model-name", missingModel, "--blimp", "adjunct_island", "--limit", "1",
            "--blimp-dir", Infrastructure.Shared.Path_("blimp"));
        Assert.Equal(LlmLoc.ExitCodes.Usage, blimpCode);
        Assert.Equal("llmloc: error: --blimp gives 1 pair (--limit 1 on one paradigm): a bootstrap interval needs at least 2; raise --limit or add paradigms", blimp.Trim());
    }

    [Fact]
    public void TextOfOneWindowIsRefusedBeforeScoring()
    {
        using var dir = new Infrastructure.TempDir();
        string text = dir.File("short.txt");
        File.WriteAllText(text, "Short text.");
        var (code, stdout, stderr) = Run("evaluate", "--model-name", TinyGpt2.Folder, "--network", "none", "--device", "cpu", "--text", text);
        Assert.Equal(LlmLoc.ExitCodes.InputError, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.Split('\n'), line => line.StartsWith("llmloc: error:"));
        Assert.DoesNotContain("done", stderr); // nothing was scored
        Assert.EndsWith("llmloc: error: the --text file gives 1 window of 256 tokens: a bootstrap interval needs at least 2 windows; give a longer text or a smaller --max-tokens-per-window", stderr.Trim());
    }

    [Fact]
    public void WithoutATaskItIsAOneLineUsageError()
    {
        var (code, stdout, stderr) = Run("evaluate", "--model-name", TinyGpt2.Folder);
        Assert.Equal(LlmLoc.ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("llmloc: error: nothing to evaluate: give --blimp [PARADIGM...|all], --minimal-pairs", stderr);
    }

    [Fact]
    public void AMalformedPairFileNamesTheLineBeforeLoadingTheModel()
    {
        using var dir = new Infrastructure.TempDir();
        string pairs = dir.File("pairs.jsonl");
        File.WriteAllText(pairs, "{\"sentence_good\": \"a\", \"sentence_bad\": \"b\"}\n{\"sentence_good\": \"a\"}\n");
        var (code, _, stderr) = Run("evaluate", "--model-name", dir.File("no-such-model"), "--minimal-pairs", pairs, "--network", "none");
        Assert.Equal(LlmLoc.ExitCodes.InputError, code);
        Assert.Contains($"{pairs} line 2 has no string field \"sentence_bad\"", stderr);

        var (missingCode, _, missing) = Run("evaluate", "--model-name", "m", "--text", dir.File("none.txt"));
        Assert.Equal(LlmLoc.ExitCodes.InputError, missingCode);
        Assert.Contains("none.txt does not exist", missing);
    }
}
