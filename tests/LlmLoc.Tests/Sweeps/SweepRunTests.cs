using LlmLoc.Numerics;
using LlmLoc.Sweeps;

namespace LlmLoc.Tests.Sweeps;

/// <summary>Sweeps that run the tiny fixture GPT-2 on the real stimuli: a task writes localize's mask, status tells
/// done / failed / missing, the summary tables hold the done cells, and --local runs cells as child processes.</summary>
public sealed class SweepRunTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    public SweepRunTests() => Directory.CreateSymbolicLink(dir.File("tiny-gpt2"), Shared.Fixture("models", "gpt2"));

    SweepPlan Plan(string models, string networks, string percentages, string more = "")
    {
        string grid = dir.File("grid.toml");
        File.WriteAllText(grid, $"""
            models = [{models}]
            networks = [{networks}]
            percentages = [{percentages}]
            device = "cpu"
            stimuli_dir = "{Shared.Path_("stimuli")}"
            cache_dir = "cache"
            {more}
            """);
        var result = CliRunner.Run("sweep", "plan", grid);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return SweepPlan.Load(dir.File("grid.plan.jsonl"));
    }

    static long Units(string mask) => Npy.Read(mask).ToDoubles().Sum(v => (long)v);

    /// <summary>A grid takes every localize setting: a cell with streamed bfloat16 weights runs as localize does with
    /// --weights streamed --dtype bfloat16 (the same mask), and its log says the weights were streamed as bfloat16.</summary>
    [Fact]
    public void GridCellsCarryWeightsAndDType()
    {
        var plan = Plan("\"tiny-gpt2\"", "\"language\"", "5", "weights = \"streamed\"\ndtype = \"bfloat16\"");
        Assert.Equal(("streamed", "bfloat16"), (plan.Cells[0].Weights, plan.Cells[0].DType));
        var task = CliRunner.Run("sweep", "run", plan.Path, "--task", "0");
        Assert.True(task.ExitCode == 0, task.Stderr);
        Assert.Contains("llmloc: weights streamed block by block from the checkpoint as bfloat16", task.Stderr);

        var localize = CliRunner.Run("localize", "--model-name", dir.File("tiny-gpt2"), "--percentage", "5", "--device", "cpu", "--weights", "streamed",
            "--dtype", "bfloat16", "--stimuli-dir", Shared.Path_("stimuli"), "--cache-dir", dir.File("localize-cache"));
        Assert.True(localize.ExitCode == 0, localize.Stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("localize-cache"), Path.GetFileName(plan.Cells[0].MaskPath))), File.ReadAllBytes(plan.Cells[0].MaskPath));

        // A plan written before the keys existed still loads: auto weights, default dtype.
        File.WriteAllText(plan.Path, File.ReadAllText(plan.Path).Replace(",\"weights\":\"streamed\",\"dtype\":\"bfloat16\"", ""));
        var old = SweepPlan.Load(plan.Path);
        Assert.Equal(("auto", (string?)null), (old.Cells[0].Weights, old.Cells[0].DType));
    }

    [Fact]
    public void AGridRefusesAnUnknownWeightsMode()
    {
        string grid = dir.File("bad.toml");
        File.WriteAllText(grid, "models = [\"gpt2\"]\npercentages = [1]\nweights = \"mapped\"\n");
        var result = CliRunner.Run("sweep", "plan", grid);
        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("key 'weights' has a bad value \"mapped\": unknown --weights 'mapped'", result.Stderr);
    }

    [Fact]
    public void ACellWhoseErrorRecordCannotBeWrittenStillReportsItsOwnError()
    {
        Directory.CreateDirectory(dir.File("broken"));
        File.WriteAllText(Path.Combine(dir.Path, "broken", "config.json"), "{ not json");
        var plan = Plan("\"broken\"", "\"language\"", "1");
        File.WriteAllText(plan.ErrorsDir, "a file where the errors folder goes");

        var task = CliRunner.Run("sweep", "run", plan.Path, "--task", "0");

        // The model's error and its exit code, as `llmloc localize` gives them, not the record's write failure.
        var localize = CliRunner.Run("localize", "--model-name", dir.File("broken"), "--percentage", "1", "--device", "cpu",
            "--stimuli-dir", Shared.Path_("stimuli"), "--cache-dir", dir.File("localize-cache"));
        Assert.NotEqual(0, localize.ExitCode);
        Assert.Equal(localize.ExitCode, task.ExitCode);
        string[] lines = task.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(localize.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1], lines[^1]);
        Assert.Contains(lines, l => l.StartsWith($"llmloc: warning: cannot write the error record {plan.ErrorRecordPath(0)}", StringComparison.Ordinal));
        Assert.Equal("a file where the errors folder goes", File.ReadAllText(plan.ErrorsDir));
    }

    [Fact]
    public async Task StatusTellsDoneFailedMissingAndSummarizesTheDoneCells()
    {
        // A model folder without usable weights fails its cell (an input error).
        Directory.CreateDirectory(dir.File("broken"));
        File.WriteAllText(Path.Combine(dir.Path, "broken", "config.json"), "{ not json");
        var plan = Plan("\"tiny-gpt2\", \"broken\"", "\"language\"", "1, 5");

        var task0 = CliRunner.Run("sweep", "run", plan.Path, "--task", "0");
        Assert.True(task0.ExitCode == 0, task0.Stderr);
        var task2 = CliRunner.Run("sweep", "run", plan.Path, "--task", "2");
        Assert.Equal(2, task2.ExitCode);
        // A damaged mask (a truncated write, a copy gone wrong) where cell 1's should be: a state, not a crash.
        File.WriteAllText(plan.Cells[1].MaskPath, "not a .npy");

        // The task wrote the very mask `llmloc localize` writes (the fixture of the original's localize.py).
        string mask = plan.Cells[0].MaskPath;
        Assert.Equal(File.ReadAllBytes(Shared.Fixture("localize-e2e", "cache", Path.GetFileName(mask))), File.ReadAllBytes(mask));
        string localizeCache = dir.File("localize-cache");
        var localize = CliRunner.Run("localize", "--model-name", dir.File("tiny-gpt2"), "--percentage", "1", "--device", "cpu",
            "--stimuli-dir", Shared.Path_("stimuli"), "--cache-dir", localizeCache);
        Assert.True(localize.ExitCode == 0, localize.Stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(localizeCache, Path.GetFileName(mask))), File.ReadAllBytes(mask));

        // The failure is recorded beside the plan, never in the cache.
        var record = ErrorRecord.Read(plan.ErrorRecordPath(2));
        Assert.NotNull(record);
        Assert.Equal(2, record.ExitCode);
        Assert.Contains(Path.Combine(dir.Path, "broken"), record.Message);
        Assert.DoesNotContain(Directory.GetFiles(plan.Cells[0].CacheDir), f => !f.EndsWith(".npy", StringComparison.Ordinal));

        var status = CliRunner.Run("sweep", "status", plan.Path);
        Assert.True(status.ExitCode == 0, status.Stderr);
        string[] lines = status.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^\s+0  done .* 1\.0% .*  1 units$", lines[0]);
        Assert.Matches(@"^\s+1  invalid .* 5\.0% .*cached mask not reusable \(.*\); a run recomputes it$", lines[1]);
        Assert.Matches(@"^\s+2  failed .*broken.* exit 2: .*broken", lines[2]);
        Assert.Matches(@"^\s+3  missing ", lines[3]);
        Assert.Equal("sweep: 4 cells: 1 done, 1 failed, 1 invalid, 1 missing", lines[4]);

        string[] csv = File.ReadAllLines(plan.SummaryCsvPath);
        Assert.Equal("model,network,pooling,range,percentage,num_units,pretrained,seed,units,path,site", csv[0]);
        Assert.Equal($"tiny-gpt2,language,last-token,100-100,1,,True,42,{Units(mask)},{mask},resid", Assert.Single(csv.Skip(1)));
        await using (var reader = await Parquet.ParquetReader.CreateAsync(plan.SummaryParquetPath))
            Assert.Equal(csv[0].Split(','), reader.Schema.GetDataFields().Select(f => f.Name));
        var parquet = Assert.Single((await Parquet.Serialization.ParquetSerializer.DeserializeAsync<SweepSummaryRow>(plan.SummaryParquetPath)).Data);
        Assert.Equal(("tiny-gpt2", "language", "last-token", "100-100", 1.0, (long?)null, true, 42, Units(mask), mask, "resid"),
            (parquet.Model, parquet.Network, parquet.Pooling, parquet.Range, parquet.Percentage!.Value, parquet.NumUnits, parquet.Pretrained, parquet.Seed, parquet.Units, parquet.Path, parquet.Site));
    }

    [Fact]
    public void ErrorRecordsHoldOneLineWithoutCredentials()
    {
        string path = dir.File("cell-0.json");
        new ErrorRecord { Cell = 0, ExitCode = 3, Message = "cannot reach https://alice:s3cret@mirror.example/x\nwith token hf_abcdefghijklmnop", TimeUtc = DateTime.UtcNow }
            .Write(path);
        string stored = File.ReadAllText(path);
        Assert.DoesNotContain("s3cret", stored);
        Assert.DoesNotContain("abcdefghijklmnop", stored);
        Assert.Equal("cannot reach https://***@mirror.example/x with token hf_***", ErrorRecord.Read(path)!.Message);

        // A record written by someone else (an older llmloc) is cleaned when read, before it is printed.
        File.WriteAllText(path, """{"cell": 0, "exit_code": 3, "message": "from https://alice:s3cret@mirror.example/\nsecond line"}""");
        Assert.Equal("from https://***@mirror.example/ second line", ErrorRecord.Read(path)!.Message);
    }

    [Theory]
    [InlineData("""{"cell": 0, "exit_code": 3, "message": null}""")]
    [InlineData("""{"cell": 0, "exit_code": 3, "message": 7}""")]
    [InlineData("""{"cell": 0, "exit_code": 3}""")]
    [InlineData("""{"cell": 0, "exit_c""")]
    public void ADamagedErrorRecordReadsAsUnreadableNotAsACrash(string json)
    {
        string path = dir.File("cell-0.json");
        File.WriteAllText(path, json);

        var record = ErrorRecord.Read(path);

        Assert.NotNull(record);
        Assert.Equal(ExitCodes.RuntimeError, record.ExitCode);
        Assert.Equal($"unreadable error record {path}", record.Message);
    }

    [Fact]
    public void ACellFailsWithTheExitCodeAndLineTheCliGives()
    {
        var plan = Plan("\"tiny-gpt2\"", "\"multiple-demand\"", "1");
        // A folder where the mask should go: renaming the mask into place fails with a plain IOException.
        Directory.CreateDirectory(Path.Combine(plan.Cells[0].MaskPath, "blocker"));

        var task = CliRunner.Run("sweep", "run", plan.Path, "--task", "0");

        var record = ErrorRecord.Read(plan.ErrorRecordPath(0));
        Assert.NotNull(record);
        Assert.Equal(ExitCodes.InputError, task.ExitCode); // a file system error, as docs/errors.md says
        Assert.Equal(task.ExitCode, record.ExitCode);
        Assert.StartsWith("file system error: ", record.Message);
        Assert.Equal($"llmloc: error: {record.Message}", task.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }

    [Fact]
    public void ACellKilledFromOutsideIsNotReportedWithAnEarlierRunsError()
    {
        var plan = Plan("\"tiny-gpt2\"", "\"multiple-demand\"", "1");
        Directory.CreateDirectory(plan.ErrorsDir);
        new ErrorRecord { Cell = 0, ExitCode = 3, Message = "earlier failure", TimeUtc = DateTime.UtcNow }.Write(plan.ErrorRecordPath(0));
        var stdout = new StringWriter();

        // A child that dies without a word (as under the OOM killer): SIGKILL, exit 128 + 9.
        int code = SweepRunner.RunLocal(plan, ["/bin/sh", "-c", "kill -9 $$"], 1, stdout);

        Assert.Equal(137, code);
        var record = ErrorRecord.Read(plan.ErrorRecordPath(0));
        Assert.NotNull(record);
        Assert.Equal(137, record.ExitCode);
        Assert.StartsWith("the process exited with code 137 without an error message", record.Message);
        Assert.DoesNotContain("earlier failure", stdout.ToString());
    }

    [Fact]
    public void ACellWhoseProcessCannotStartFailsWithARecordNotACrash()
    {
        var plan = Plan("\"tiny-gpt2\"", "\"multiple-demand\"", "1, 5");
        var stdout = new StringWriter();

        int code = SweepRunner.RunLocal(plan, ["llmloc-no-such-program"], 2, stdout);

        Assert.Equal(ExitCodes.RuntimeError, code);
        foreach (var cell in plan.Cells)
        {
            var record = ErrorRecord.Read(plan.ErrorRecordPath(cell.Index));
            Assert.NotNull(record);
            Assert.Equal(ExitCodes.RuntimeError, record.ExitCode);
            Assert.StartsWith("cannot start 'llmloc-no-such-program' for this cell (", record.Message);
        }
        // Failed cells are retried too, not only missing ones (the states of docs/sweep.md).
        Assert.EndsWith("rerunning retries only the cells not yet done", stdout.ToString().TrimEnd());
        Assert.Contains("sweep: 2 of 2 cells failed", stdout.ToString());
    }

    [Fact]
    public void ARunningTaskHasNoErrorRecordOfAnEarlierRun()
    {
        // A Slurm task killed from outside (time limit, OOM) cannot write a record: the one left from an earlier run
        // must be gone by then, or status reports the cell failed with that run's error instead of missing.
        var plan = Plan("\"tiny-gpt2\"", "\"multiple-demand\"", "1");
        Directory.CreateDirectory(plan.ErrorsDir);
        string record = plan.ErrorRecordPath(0);
        new ErrorRecord { Cell = 0, ExitCode = 3, Message = "earlier failure", TimeUtc = DateTime.UtcNow }.Write(record);
        var valid = new long[3 * 48];
        valid[100] = 1;
        Npy.Write(plan.Cells[0].MaskPath, valid, 3, 48);
        var watcher = new RecordWatcher(record);

        SweepRunner.RunTask(plan, 0, watcher, TextWriter.Null);

        Assert.Contains("> Loading cached mask", watcher.ToString());
        Assert.False(watcher.SawRecord, "the earlier run's error record was still there while the cell ran");
    }

    /// <summary>Remembers whether <paramref name="record"/> existed whenever the run wrote a line.</summary>
    sealed class RecordWatcher(string record) : StringWriter
    {
        public bool SawRecord { get; private set; }
        public override void WriteLine(string? value)
        {
            SawRecord |= File.Exists(record);
            base.WriteLine(value);
        }
    }

    [Fact]
    public void LocalRunsTheMissingCellsAsChildProcessesAndClearsOldErrors()
    {
        var plan = Plan("\"tiny-gpt2\"", "\"multiple-demand\"", "1, 5");
        // A stale error record from an earlier failed run of cell 1; cell 0 has a valid cached mask (one unit of the
        // tiny model's 3 x 48, as 1% gives), cell 1 an invalid one (it selects no unit), which must be recomputed.
        Directory.CreateDirectory(plan.ErrorsDir);
        new ErrorRecord { Cell = 1, ExitCode = 3, Message = "earlier failure", TimeUtc = DateTime.UtcNow }.Write(plan.ErrorRecordPath(1));
        var valid = new long[3 * 48];
        valid[100] = 1;
        Npy.Write(plan.Cells[0].MaskPath, valid, 3, 48);
        Npy.Write(plan.Cells[1].MaskPath, new long[3 * 48], 3, 48);
        byte[] cached = File.ReadAllBytes(plan.Cells[0].MaskPath);

        var result = CliRunner.Run("sweep", "run", plan.Path, "--local", "-j", "2");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        // Progress is on stderr; stdout carries no result of sweep run.
        Assert.Equal("", result.Stdout);
        Assert.Contains("sweep: 2 cells, 1 already cached, running 1 with 2 process(es)", result.Stderr);
        Assert.Contains("cell 1 done", result.Stderr);
        Assert.DoesNotContain("cell 0 ", result.Stderr);
        Assert.Equal(cached, File.ReadAllBytes(plan.Cells[0].MaskPath));
        Assert.True(File.Exists(plan.Cells[1].MaskPath));
        Assert.False(File.Exists(plan.ErrorRecordPath(1)), "a successful run must clear the cell's error record");
        Assert.Contains("> Saved mask to", File.ReadAllText(Path.Combine(plan.LogsDir, "local-1.log")));
        Assert.Equal(LlmLoc.Statistics.UnitSelection.NumUnitsFromPercentage(5, 48, 3), Units(plan.Cells[1].MaskPath));
    }
}
