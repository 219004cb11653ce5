using LlmLoc.Cli;
using LlmLoc.Evaluation;

namespace LlmLoc.Tests.Evaluation;

/// <summary>`llmloc evaluate` end to end on the tiny GPT-2 (a symlink named tiny-gpt2 with a cached language mask).</summary>
public class EvaluateCommandTests
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task EvaluatesAllConditionsAndWritesJsonAndParquet()
    {
        var (dir, model, cache, _) = TinyGpt2.WithLanguageMask();
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
        Assert.Equal(["kind", "condition", "network", "mask", "seed", "pair", "window", "paradigm", "phenomenon", "logp_good", "logp_bad", "correct", "document", "tokens", "loss"],
            read.Schema.GetDataFields().Select(f => f.Name));
        var rows = read.Data;
        Assert.Equal(doc.Pairs.Count + doc.Windows.Count, rows.Count);
        Assert.Equal(doc.Pairs[40].LogpGood, rows.Where(r => r.kind == "pair").ElementAt(40).logp_good);
        Assert.Equal(doc.Windows.Select(w => w.Loss), rows.Where(r => r.kind == "window").Select(r => r.loss!.Value));
        Assert.Equal(doc.Pairs.Select(p => p.Pair), rows.Where(r => r.kind == "pair").Select(r => r.pair!.Value));
        Assert.Equal(doc.Windows.Select(w => w.Window), rows.Where(r => r.kind == "window").Select(r => r.window!.Value));
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
