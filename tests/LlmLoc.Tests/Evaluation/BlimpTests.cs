using LlmLoc.Masks;
using System.Text.Json;
using LlmLoc.Cli;
using LlmLoc.Evaluation;
using LlmLoc.Evaluation.Blimp;
using LlmLoc.Lesion;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tests.Workflow;

namespace LlmLoc.Tests.Evaluation;

/// <summary>`evaluate --blimp` on ../shared/blimp with the tiny GPT-2, checked against pairs scored directly from the
/// model's logits; the fetch into ./blimp against a local HTTP server.</summary>
public class BlimpTests(TinyGpt2 gpt2) : IClassFixture<TinyGpt2>
{
    static string SharedBlimp => Shared.Path_("blimp");
    static readonly string[] Paradigms = ["anaphor_gender_agreement", "anaphor_number_agreement", "adjunct_island"];

    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The first <paramref name="limit"/> lines of a paradigm file, read with plain System.Text.Json.</summary>
    static List<(string Good, string Bad, string Term)> FirstPairs(string paradigm, int limit) =>
        File.ReadLines(Path.Combine(SharedBlimp, paradigm + ".jsonl")).Take(limit).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            return (r.GetProperty("sentence_good").GetString()!, r.GetProperty("sentence_bad").GetString()!, r.GetProperty("linguistics_term").GetString()!);
        }).ToList();

    /// <summary>Independent scoring: each sentence alone, after &lt;|endoftext|&gt;, log-softmax of the full forward.</summary>
    double LogP(string sentence) => gpt2.DirectLogProbs([50256, .. gpt2.Tokenizer.Encode(sentence, addSpecialTokens: false)], 1).Sum();

    Dictionary<string, double> ExpectedByParadigm(int limit) => Paradigms.ToDictionary(p => p,
        p => FirstPairs(p, limit).Average(x => LogP(x.Good) > LogP(x.Bad) ? 1.0 : 0.0));

    [Fact]
    public void AccuracyPerParadigmPhenomenonAndOverallMatchesDirectScoring()
    {
        const int limit = 6;
        var (dir, model, cache, _) = TinyGpt2.WithLanguageMask();
        using var _dir = dir;
        string json = dir.File("eval.json");
        var (code, stdout, stderr) = Run(["evaluate", "--model-name", model, "--percentage", "5", "--cache-dir", cache, "--device", "cpu",
            "--networks", "none", "language", "--blimp", .. Paradigms, "--blimp-dir", SharedBlimp, "--limit", $"{limit}", "--json", json]);
        Assert.True(code == 0, stderr);

        var expectedNone = ExpectedByParadigm(limit);
        Dictionary<string, double> expectedLanguage;
        using (new UnitLesion(gpt2.Model, UnitMask.Load(Shared.Fixture("models", "gpt2", "lesion_mask.npy"))))
            expectedLanguage = ExpectedByParadigm(limit);

        var doc = TestJson.Read<EvaluationExport.Document>(json);
        Assert.Equal(2 * Paradigms.Length * limit, doc.Blimp.Count);
        foreach (var (summary, expected) in new[] { (doc.Summary[0], expectedNone), (doc.Summary[1], expectedLanguage) })
        {
            Assert.Equal(expected.OrderBy(k => k.Key), summary.BlimpAccuracyByParadigm.OrderBy(k => k.Key));
            Assert.Equal(expected.Values.Average(), summary.BlimpAccuracy!.Value, 12);
            // anaphor_agreement = mean of its two paradigms; island_effects = adjunct_island alone.
            Assert.Equal((expected["anaphor_gender_agreement"] + expected["anaphor_number_agreement"]) / 2,
                summary.BlimpAccuracyByPhenomenon["anaphor_agreement"], 12);
            Assert.Equal(expected["adjunct_island"], summary.BlimpAccuracyByPhenomenon["island_effects"], 12);
            Assert.Equal(Paradigms.Length * limit, summary.BlimpPairs);
        }
        var first = doc.Blimp[0];
        var firstPair = FirstPairs(first.Paradigm!, 1)[0];
        Assert.True(Math.Abs(first.LogpGood - LogP(firstPair.Good)) < 1e-4);
        Assert.Equal(firstPair.Term, first.Phenomenon);

        Assert.Contains("BLiMP", stdout);
        Assert.Contains("anaphor_agreement", stdout);
        Assert.Contains("adjunct_island", stdout);
        Assert.Contains("none: BLiMP 1/3", stderr);
    }

    [Fact]
    public void MistakesAreOneLineErrorsBeforeTheModelLoads()
    {
        using var dir = new TempDir();
        var (code, _, err) = Run("evaluate", "--model-name", dir.File("no-model"), "--blimp", "anaphor_gender", "--blimp-dir", SharedBlimp);
        Assert.Equal(LlmLoc.ExitCodes.Usage, code);
        Assert.Contains("unknown BLiMP paradigm 'anaphor_gender': did you mean anaphor_gender_agreement?", err);

        (code, _, err) = Run("evaluate", "--model-name", dir.File("no-model"), "--blimp", "--blimp-dir", dir.File("nope"));
        Assert.Equal(LlmLoc.ExitCodes.InputError, code);
        Assert.Contains($"BLiMP folder {dir.File("nope")} (from --blimp-dir or $LLMLOC_BLIMP) does not exist", err);
        Assert.False(Directory.Exists(dir.File("nope")));

        (code, _, err) = Run("evaluate", "--model-name", dir.File("no-model"), "--minimal-pairs", "--limit", "3");
        Assert.Equal(LlmLoc.ExitCodes.Usage, code);
        Assert.Contains("--limit applies to BLiMP", err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void FetchesOnlyMissingParadigmsOnceAndChecksTheirSha256()
    {
        string[] wanted = ["causative", "passive_1"];
        var bodies = wanted.ToDictionary(p => $"/blimp/data/{p}.jsonl", p => File.ReadAllBytes(Path.Combine(SharedBlimp, p + ".jsonl")));
        using var server = new LocalHttpServer(bodies);
        using var dir = new TempDir();
        string target = dir.File("blimp");
        var store = new BlimpStore(server.Url("/blimp/data/"), downloadEnabled: true);

        var pairs = store.Load(wanted, target, explicitDir: false, limit: 4, TextWriter.Null);
        Assert.Equal(8, pairs.Count);
        Assert.Equal(["causative", "passive_1"], pairs.Select(p => p.Paradigm).Distinct());
        foreach (string p in wanted)
            Assert.Equal(bodies[$"/blimp/data/{p}.jsonl"], File.ReadAllBytes(Path.Combine(target, p + ".jsonl")));
        Assert.Equal(2, server.Requests.Count);

        Assert.Equal(1000, store.Load(["causative"], target, false, null, TextWriter.Null).Count);
        Assert.Equal(2, server.Requests.Count); // already there: no request

        // A file whose bytes are not the pinned ones is refused and nothing is left behind.
        bodies["/blimp/data/drop_argument.jsonl"] = bodies["/blimp/data/causative.jsonl"];
        string fresh = dir.File("fresh");
        var wrong = Assert.Throws<LlmLocException>(() => store.Load(["drop_argument"], fresh, false, null, TextWriter.Null));
        Assert.Contains("drop_argument.jsonl: the file's sha256 is not the pinned one", wrong.Message);
        Assert.False(Directory.Exists(fresh));

        var missing = Assert.Throws<LlmLocException>(() => store.Load(["existential_there_quantifiers_1"], fresh, false, null, TextWriter.Null));
        Assert.Contains("HTTP 404; run once where GitHub is reachable, or pass --blimp-dir", missing.Message);
        Assert.False(Directory.Exists(fresh));

        Assert.Contains("LLMLOC_NO_DOWNLOAD is set", Assert.Throws<LlmLocException>(
            () => new BlimpStore(server.Url("/blimp/data/"), false).Load(["causative"], fresh, false, null, TextWriter.Null)).Message);
    }

    [Fact]
    public void PinnedHashesCoverThe67SharedFiles()
    {
        Assert.Equal(67, BlimpParadigms.All.Count);
        Assert.Equal(Directory.GetFiles(SharedBlimp, "*.jsonl").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal), BlimpParadigms.All);
        // Every shared file passes the check (a changed hash table or file would fail here).
        Assert.Equal(67, new BlimpStore(new Uri("http://127.0.0.1:9/"), false).Load(BlimpParadigms.All, SharedBlimp, true, 1, TextWriter.Null).Count);
    }
}
