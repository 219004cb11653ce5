using LlmLoc.Cli;
using LlmLoc.IO;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tests.Localization;

namespace LlmLoc.Tests.Hardening;

/// <summary>
/// Issue 12's guarantees, one test per class of bad input: the exit code, exactly one "llmloc: error:" line, no
/// stack frame on stderr, and which files exist afterwards. Crafted inputs come from <see cref="BadInputs"/>.
/// </summary>
public sealed class HardeningTests : IDisposable
{
    readonly BadInputs bad = new();
    public void Dispose() => bad.Dispose();

    string[] Localize(string model, params string[] extra) =>
        ["localize", "--model-name", model, "--network", "multiple-demand", "--num-units", "5", "--device", "cpu", "--cache-dir", bad.Cache, .. extra];

    // 1. Never a stack trace: output locations that cannot take a file, and the last-resort handler.
    [Theory]
    [InlineData("localize", "--stats-out", "<folder>", "is a folder")]
    [InlineData("localize", "--stats-out", "/proc/llmloc-test/stats.parquet", "cannot create files in /proc")]
    [InlineData("localize", "--cache-dir", "<file>", "is a file")]
    [InlineData("localize", "--cache-dir", "<file>/below", "is a file")]
    [InlineData("evaluate", "--json", "<folder>", "is a folder")]
    [InlineData("evaluate", "--parquet", "/proc/llmloc-test.parquet", "cannot create files in /proc")]
    [InlineData("plot", "--output", "/proc/llmloc-test/heatmap", "cannot create files in /proc")]
    public void UnwritableOutputsAreOneLine(string verb, string flag, string value, string message)
    {
        string file = bad.Path_("a-file");
        File.WriteAllText(file, "x");
        Directory.CreateDirectory(bad.Path_("a-folder"));
        value = value.Replace("<folder>", bad.Path_("a-folder")).Replace("<file>", file);
        string model = bad.Model("m");
        string[] args = verb switch
        {
            "localize" => flag == "--cache-dir"
                ? ["localize", "--model-name", model, "--num-units", "5", "--network", "multiple-demand", "--device", "cpu", flag, value]
                : Localize(model, flag, value),
            "evaluate" => ["evaluate", "--model-name", model, "--network", "none", "--minimal-pairs", "--device", "cpu", flag, value],
            _ => ["plot", "--mask", Shared.Fixture("models", "gpt2", "lesion_mask.npy"), flag, value],
        };
        BadInputs.Fails(ExitCodes.Usage, message, args);
        Assert.Empty(BadInputs.FilesIn(bad.Cache));
        Assert.Empty(BadInputs.FilesIn(bad.Path_("a-folder")));
    }

    [Fact]
    public void UnexpectedExceptionsBecomeOneLineWithADocumentedCode()
    {
        Assert.Equal(ExitCodes.InternalError, ErrorReport.For(new InvalidOperationException("boom\n   at Somewhere()")).ExitCode);
        Assert.DoesNotContain("   at ", ErrorReport.For(new InvalidOperationException("boom\n   at Somewhere()")).Message);
        Assert.Equal(ExitCodes.InputError, ErrorReport.For(new IOException("disk", 28)).ExitCode);
        Assert.Contains("no space left", ErrorReport.For(new IOException("disk", 28)).Message);
        Assert.Contains("no space left", ErrorReport.For(new IOException("quota", 122)).Message);
        // On Linux HResult is the errno: ENOTEMPTY (39) and EHOSTDOWN (112) are not a full disk.
        Assert.StartsWith("file system error: Directory not empty", ErrorReport.For(new IOException("Directory not empty", 39)).Message);
        Assert.StartsWith("file system error: ", ErrorReport.For(new IOException("Host is down", 112)).Message);
        Assert.True(ErrorReport.IsDiskFull(new IOException("disk", 28)));
        Assert.False(ErrorReport.IsDiskFull(new IOException("not empty", 39)));
        Assert.Equal(ExitCodes.InputError, ErrorReport.For(new AggregateException(new UnauthorizedAccessException("x"))).ExitCode);
        // TorchSharp reports libtorch's errors as ExternalException; a failed process start (Win32Exception, also an
        // ExternalException) is not the tensor library's.
        Assert.StartsWith("the tensor library failed: ", ErrorReport.For(new System.Runtime.InteropServices.ExternalException("CUDA error")).Message);
        var start = ErrorReport.For(new System.ComponentModel.Win32Exception(2, "An error occurred trying to start process 'x'"));
        Assert.StartsWith("internal error (Win32Exception: An error occurred trying to start process 'x')", start.Message);
        Assert.Equal(ExitCodes.InternalError, start.ExitCode);
    }

    // 2. Cheap checks before the model: the model does not exist, so any other error proves the check came first.
    [Theory]
    [InlineData("generate-lesion", "--greedy --num-return-sequences 3", "greedy decoding gives one sequence")]
    [InlineData("generate-lesion", "--top-p 1.5", "top-p")]
    [InlineData("generate-lesion", "--temperature -1", "temperature")]
    [InlineData("generate-lesion", "--network random --seed -3", "--seed -3")]
    [InlineData("localize", "--localize-range 10-20 --seed -1", "--seed -1")]
    [InlineData("localize", "--stats-out <root>", "is a folder")]
    public void FlagsAndOutputsAreCheckedBeforeTheModel(string verb, string flags, string message)
    {
        string missing = bad.Path_("no-such-model");
        string[] extra = flags.Replace("<root>", bad.Root).Split(' ');
        string[] args = verb == "localize"
            ? ["localize", "--model-name", missing, "--percentage", "1", "--network", "multiple-demand", "--offline", "--cache-dir", bad.Cache, .. extra]
            : ["generate-lesion", "--model-name", missing, "--prompt", "hi", "--percentage", "1", "--offline", "--cache-dir", bad.Cache,
                .. (flags.Contains("--network") ? Array.Empty<string>() : ["--network", "none"]), .. extra];
        if (args.Contains("random")) File.Copy(Shared.Fixture("models", "gpt2", "lesion_mask.npy"), bad.Path_("mask.npy"));
        if (args.Contains("random")) args = [.. args, "--mask", bad.Path_("mask.npy")];
        BadInputs.Fails(ExitCodes.Usage, message, args);
        Assert.Empty(BadInputs.FilesIn(bad.Cache));
    }

    // Outputs are renamed into place at the end, so one naming an input or another output would replace it.
    [Theory]
    [InlineData("--text doc.txt --json doc.txt", "--json <root>/doc.txt is the --text file")]
    [InlineData("--minimal-pairs pairs.jsonl --parquet pairs.jsonl", "--table <root>/pairs.jsonl is the --minimal-pairs file")]
    [InlineData("--minimal-pairs builtin --json out --parquet out", "--table <root>/out is also --json")]
    public void EvaluateOutputsNamingAnInputOrEachOtherAreRefusedBeforeTheModel(string flags, string message)
    {
        File.WriteAllText(bad.Path_("doc.txt"), "Some text to score.");
        File.WriteAllText(bad.Path_("pairs.jsonl"), "{\"sentence_good\": \"Dogs bark.\", \"sentence_bad\": \"Dogs barks.\"}\n");
        string[] extra = flags.Split(' ').Select(f => f.StartsWith("--") || f == "builtin" ? f : bad.Path_(f)).ToArray();
        BadInputs.Fails(ExitCodes.Usage, message.Replace("<root>", bad.Root),
            ["evaluate", "--model-name", bad.Path_("no-such-model"), "--networks", "none", "--offline", "--cache-dir", bad.Cache, .. extra]);
        Assert.Equal("Some text to score.", File.ReadAllText(bad.Path_("doc.txt")));
        Assert.StartsWith("{", File.ReadAllText(bad.Path_("pairs.jsonl")));
        Assert.False(File.Exists(bad.Path_("out")));
    }

    // One seed check for every verb: numpy's seed range, the same words.
    [Fact]
    public void EveryVerbRefusesANegativeSeedWithTheSameWords()
    {
        string Refusal(Action validate) => Assert.Throws<LlmLocException>(validate).Message;
        string expected = Assert.Throws<LlmLocException>(() => LlmLoc.Masks.FlagChecks.Seed(-1)).Message;
        Assert.Equal("--seed -1 is negative: numpy seeds must be between 0 and 2**32 - 1", expected);
        Assert.Equal(expected, Refusal(new LlmLoc.Extraction.ExtractOptions { Model = new("m") { Seed = -1 }, InputFile = "in.csv", OutputFile = "out.npy" }.Validate));
        var align = new LlmLoc.BrainAlignment.AlignOptions { ActivationsFile = "a.npy", ResponsesFile = "r.npy" };
        Assert.Equal(expected, Refusal((align with { Seed = -1 }).Validate));
        Assert.Equal("--split-seed -2 is negative: numpy seeds must be between 0 and 2**32 - 1", Refusal((align with { SplitSeed = -2 }).Validate));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("", "")]
    public void CsvFieldsAreQuotedAsPythonsCsvModuleDoes(string value, string expected) =>
        Assert.Equal(expected, CsvText.Field(value));

    // 3. All or nothing, and leftovers of killed runs cleaned.
    [Fact]
    public void AFailedRenameRemovesTheOutputsAlreadyInPlace()
    {
        string first = bad.Path_("out/first.npy"), second = bad.Path_("out/second.npy");
        Directory.CreateDirectory(second); // a folder where the second file goes: its rename fails
        File.WriteAllText(Path.Combine(second, "keep"), "x");
        using (var outputs = new OutputSet())
        {
            outputs.Add(first, [1, 2, 3]);
            outputs.Add(second, [4, 5, 6]);
            Assert.ThrowsAny<IOException>(outputs.Commit);
        }
        Assert.Equal([Path.Combine("second.npy", "keep")], BadInputs.FilesIn(bad.Path_("out")));
    }

    [Fact]
    public void AFailedWriteLeavesNothing()
    {
        using (var outputs = new OutputSet())
        {
            outputs.Add(bad.Path_("out/a.npy"), [1]);
            Assert.Throws<InvalidDataException>(() => outputs.Add(bad.Path_("out/b.npy"), _ => throw new InvalidDataException("disk full")));
        }
        Assert.Empty(BadInputs.FilesIn(bad.Path_("out")));
    }

    [Fact]
    public void StaleTempFilesOfDeadOrOldWritersAreRemoved()
    {
        string folder = bad.Path_("shared-cache");
        Directory.CreateDirectory(folder);
        string host = Environment.MachineName;
        string Touch(string name, TimeSpan age)
        {
            string path = Path.Combine(folder, name);
            File.WriteAllText(path, "partial");
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
            return path;
        }
        Touch($"m.npy.tmp-{host}-{int.MaxValue - 1}-0123abcd", TimeSpan.Zero);          // this host, dead PID
        Touch($"m.npy.tmp-other-host-{Environment.ProcessId}-0123abcd", TimeSpan.FromDays(2)); // old
        Touch($"m.npy.tmp-other-host-{int.MaxValue - 1}-0123abcd", TimeSpan.FromHours(1));      // other host, young: may be alive
        Touch($"m.npy.tmp-{host}-{Environment.ProcessId}-0123abcd", TimeSpan.Zero);      // this very process
        Touch("notes.txt", TimeSpan.FromDays(9));
        AtomicFile.CleanStaleTemps(folder);
        Assert.Equal(
            new[] { $"m.npy.tmp-{host}-{Environment.ProcessId}-0123abcd", $"m.npy.tmp-other-host-{int.MaxValue - 1}-0123abcd", "notes.txt" }.Order(StringComparer.Ordinal),
            BadInputs.FilesIn(folder).Order(StringComparer.Ordinal));
    }

    // 4. No silent wrong results.
    [Theory]
    [InlineData(0.5, ExitCodes.InputError)]
    [InlineData(double.NaN, ExitCodes.InputError)]
    [InlineData(1.7, ExitCodes.InputError)]
    [InlineData(1.0, ExitCodes.Ok)]
    public void MaskValuesMustBeExactlyZeroOrOne(double value, int exitCode)
    {
        string mask = bad.FloatMask("mask.npy", value);
        string[] args = ["generate-lesion", "--model-name", bad.Model("m"), "--prompt", "hi", "--percentage", "1", "--greedy",
            "--max-length", "4", "--device", "cpu", "--mask", mask];
        if (exitCode == ExitCodes.Ok) Assert.Equal(0, CliRunner.Run(args).ExitCode);
        else BadInputs.Fails(exitCode, "holds only 0 and 1", args);
    }

    [Fact]
    public void AnInvalidCachedMaskIsRecomputedNotReused()
    {
        string model = bad.Model("m");
        Assert.Equal(0, CliRunner.Run(Localize(model)).ExitCode);
        string maskPath = Assert.Single(Directory.GetFiles(bad.Cache, "*nunits=5*"));
        byte[] good = File.ReadAllBytes(maskPath);

        foreach (var replacement in new[] { bad.FloatMask("zero.npy", 0), bad.FloatMask("wrong.npy", 1) })
        {
            File.Copy(replacement, maskPath, overwrite: true);
            var result = CliRunner.Run(Localize(model));
            Assert.Equal(0, result.ExitCode);
            Assert.Contains("is not valid for this run", result.Stderr);
            Assert.Equal(good, File.ReadAllBytes(maskPath));
        }
        Assert.DoesNotContain("not valid", CliRunner.Run(Localize(model)).Stderr); // a valid cache is reused quietly
    }

    [Fact]
    public void NanWeightsAreAnErrorNotACachedMask()
    {
        string model = bad.Model("nan", f => BadInputs.PoisonTensor(f, "transformer.h.0.ln_1.weight"));
        BadInputs.Fails(ExitCodes.RuntimeError, "non-finite activation", Localize(model));
        Assert.Empty(BadInputs.FilesIn(bad.Cache));
    }

    [Fact]
    public void TokenIdsOutsideTheEmbeddingTableAreRefused()
    {
        // A vocab.json of a bigger model: its ids run past the fixture's 50257 embedding rows.
        string model = bad.Model("mismatch", f =>
        {
            string path = BadInputs.Own(f, "vocab.json");
            var vocab = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            foreach (var key in vocab.Select(kv => kv.Key).ToList())
                if (vocab[key]!.GetValue<int>() > 255) vocab[key] = vocab[key]!.GetValue<int>() + 60000;
            File.WriteAllText(path, vocab.ToJsonString());
        });
        BadInputs.Fails(ExitCodes.RuntimeError, "outside the model's embedding table of 50257",
            "generate-lesion", "--model-name", model, "--prompt", "hello world", "--percentage", "1", "--network", "none", "--device", "cpu");
        // BLiMP alone (no other task whose check would catch the tokenizer first) and extract check their inputs too.
        BadInputs.Fails(ExitCodes.RuntimeError, "for BLiMP anaphor_gender_agreement sentence 0, outside the model's embedding table of 50257",
            "evaluate", "--model-name", model, "--networks", "none", "--blimp", "anaphor_gender_agreement", "--blimp-dir", Shared.Path_("blimp"),
            "--limit", "2", "--json", bad.Path_("blimp.json"), "--device", "cpu");
        File.WriteAllLines(bad.Path_("items.txt"), ["hello world", "the cat sat"]);
        BadInputs.Fails(ExitCodes.RuntimeError, "for item 0, outside the model's embedding table of 50257",
            "extract", "--model-name", model, "--input", bad.Path_("items.txt"), "--output", bad.Path_("items.npy"), "--device", "cpu");
    }

    // 5. Untrusted file formats.
    public static TheoryData<string, string, uint?, string> NpyHeaders => new()
    {
        { "{'descr': '<i8', 'fortran_order': False, 'shape': (-3, 48), }", "", null, "non-negative whole numbers" },
        { "{'descr': '<i8', 'fortran_order': False, 'shape': (99999999999, 48), }", "", null, "non-negative whole numbers" },
        { "{'descr': '<i8', 'fortran_order': False, 'shape': (3.5, 48), }", "", null, "non-negative whole numbers" },
        { "{'descr': '<i8', 'fortran_order': False, 'shape': (2000000000, 2000000000), }", "", null, "truncated" },
        { "{'descr': '<i8', 'fortran_order': False, 'shape': (3, 48), }", "", 0xFFFFFFF0, "header length" },
        { "{'descr': '<i8', 'fortran_order': False, 'shape': (3, 48), }", "extra", null, "data bytes but its header promises" },
        { "{'descr': '<i8', 'fortran_order': False, 'shape': (3, 48), ", "", null, "malformed .npy header" },
    };

    [Theory]
    [MemberData(nameof(NpyHeaders))]
    public void DamagedNpyHeadersAreOneLine(string header, string body, uint? headerLength, string message)
    {
        byte[] data = body == "extra" ? new byte[3 * 48 * 8 + 16] : [];
        string mask = bad.Npy("bad.npy", header, data, headerLength);
        foreach (var args in new[]
        {
            new[] { "generate-lesion", "--model-name", bad.Model("m"), "--prompt", "hi", "--percentage", "1", "--device", "cpu", "--mask", mask },
            new[] { "plot", "--mask", mask, "--output", bad.Path_("plots/heatmap") },
        })
            BadInputs.Fails(ExitCodes.InputError, message, args);
        Assert.Empty(BadInputs.FilesIn(bad.Path_("plots")));
    }

    [Theory]
    [InlineData("n_layer", "\"3\"", "'n_layer': \"3\"")]
    [InlineData("n_embd", "0", "'n_embd': 0, expected a positive whole number")]
    [InlineData("n_layer", "-1", "'n_layer': -1")]
    [InlineData("n_layer", "2.5", "'n_layer': 2.5")]
    [InlineData("n_head", "true", "'n_head': true")]
    [InlineData("layer_norm_epsilon", "\"small\"", "'layer_norm_epsilon'")]
    [InlineData("model_type", "5", "'model_type': 5")]
    public void ConfigValuesOfTheWrongTypeNameTheKey(string key, string json, string message)
    {
        string model = bad.Model("m", f => BadInputs.EditConfig(f, c => c[key] = System.Text.Json.Nodes.JsonNode.Parse(json)));
        BadInputs.Fails(ExitCodes.InputError, message,
            "generate-lesion", "--model-name", model, "--prompt", "hi", "--percentage", "1", "--network", "none", "--device", "cpu");
    }

    [Fact]
    public void DamagedCheckpointsAndTokenizersAreOneLine()
    {
        string[] Gen(string model) => ["generate-lesion", "--model-name", model, "--prompt", "hi", "--percentage", "1", "--network", "none", "--device", "cpu"];
        string overlap = bad.Model("overlap", f => BadInputs.EditSafetensorsHeader(f, h =>
            h["transformer.h.1.attn.c_attn.bias"]!["data_offsets"] = h["transformer.h.0.attn.c_attn.bias"]!["data_offsets"]!.DeepClone()));
        BadInputs.Fails(ExitCodes.RuntimeError, "overlap", Gen(overlap));

        string escape = bad.Model("escape", f =>
        {
            File.Delete(Path.Combine(f, "model.safetensors"));
            File.WriteAllText(Path.Combine(f, "model.safetensors.index.json"), """{"weight_map": {"transformer.wte.weight": "../outside/model.safetensors"}}""");
        });
        Directory.CreateDirectory(bad.Path_("outside"));
        File.CreateSymbolicLink(bad.Path_("outside/model.safetensors"), Shared.Fixture("models", "gpt2", "model.safetensors"));
        BadInputs.Fails(ExitCodes.RuntimeError, "outside the model folder", Gen(escape));

        string merges = bad.Model("merges", f =>
        {
            string path = BadInputs.Own(f, "merges.txt");
            var lines = File.ReadAllLines(path);
            File.WriteAllLines(path, [.. lines[..(lines.Length / 2)], "trunc"]);
        });
        BadInputs.Fails(ExitCodes.InputError, "merges.txt: merge", Gen(merges));

        // The tokenizer builds while the model loads; with both broken, the tokenizer's error is still the one reported.
        string both = bad.Model("both", f =>
        {
            string path = BadInputs.Own(f, "merges.txt");
            var lines = File.ReadAllLines(path);
            File.WriteAllLines(path, [.. lines[..(lines.Length / 2)], "trunc"]);
            BadInputs.EditSafetensorsHeader(f, h =>
                h["transformer.h.1.attn.c_attn.bias"]!["data_offsets"] = h["transformer.h.0.attn.c_attn.bias"]!["data_offsets"]!.DeepClone());
        });
        BadInputs.Fails(ExitCodes.InputError, "merges.txt: merge", Gen(both));
    }

    // 6. Bounded work: inputs longer than the context are refused before the model runs them.
    [Fact]
    public void InputsLongerThanTheContextAreRefused()
    {
        string model = bad.Model("m");
        BadInputs.Fails(ExitCodes.InputError, "more than the model's context of 256",
            "generate-lesion", "--model-name", model, "--prompt", string.Concat(Enumerable.Repeat("word ", 400)), "--percentage", "1",
            "--network", "none", "--device", "cpu");

        string stimuli = bad.Path_("stimuli");
        Directory.CreateDirectory(Path.Combine(stimuli, "tom", "tomloc"));
        string longStory = string.Concat(Enumerable.Repeat("Anna put the ball in the box. ", 2000));
        for (int n = 1; n <= 10; n++)
            foreach (var kind in new[] { "b", "p" })
            {
                File.WriteAllText(Path.Combine(stimuli, "tom", "tomloc", $"{n}{kind}_story.txt"), n == 3 ? longStory : "Anna put the ball in the box.");
                File.WriteAllText(Path.Combine(stimuli, "tom", "tomloc", $"{n}{kind}_question.txt"), "The ball is in the box.");
            }
        BadInputs.Fails(ExitCodes.InputError, "more than the model's context",
            "localize", "--model-name", model, "--network", "theory-of-mind", "--percentage", "1", "--device", "cpu",
            "--stimuli-dir", stimuli, "--cache-dir", bad.Cache);
        Assert.Empty(BadInputs.FilesIn(bad.Cache));
    }

    [Fact]
    public void AHugeWordIsRefusedInSecondsNotTokenizedForMinutes()
    {
        string text = bad.Path_("huge-word.txt");
        File.WriteAllText(text, "Some text and then " + new string('a', 2_000_000));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        BadInputs.Fails(ExitCodes.InputError, "characters without a space",
            "evaluate", "--model-name", bad.Model("m"), "--network", "none", "--text", text, "--device", "cpu");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }
}

/// <summary>Issue 12, class 6 (bounded work): a stimuli archive that inflates beyond sane sizes is refused, and nothing is written.</summary>
public sealed class StimuliArchiveLimitTests : IDisposable
{
    readonly TempDir temp = new();
    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task AZipBombIsRefusedAndNothingIsWritten()
    {
        byte[] zip = BadInputs.TomZipWithBomb(40 << 20); // 40 MB of zeros, a few kB compressed
        Assert.True(zip.Length < 200_000);
        using var server = new LlmLoc.Tests.Workflow.LocalHttpServer(new() { ["/tomloc.zip"] = zip });
        var downloader = new LlmLoc.Stimuli.Download.StimuliDownloader(
            new LlmLoc.Stimuli.Download.StimuliSources(server.Url("/language.zip"), server.Url("/tomloc.zip")));
        string stimuli = temp.File("stimuli");
        var e = await Assert.ThrowsAnyAsync<LlmLocException>(() => downloader.DownloadAsync("theory-of-mind", stimuli, new StringWriter(), CancellationToken.None));
        Assert.Contains("zip bomb", e.Message);
        Assert.Equal(ExitCodes.RuntimeError, e.ExitCode);
        Assert.Empty(BadInputs.FilesIn(Path.Combine(stimuli, "tom")));
    }
}
