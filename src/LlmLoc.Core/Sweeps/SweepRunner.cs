using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using LlmLoc.IO;
using LlmLoc.Localization;

namespace LlmLoc.Sweeps;

/// <summary>What a cell's last failed run left beside the plan (<c>X.errors/cell-N.json</c>); never in the mask cache.</summary>
public sealed record ErrorRecord
{
    [JsonPropertyName("cell")] public int Cell { get; init; }
    [JsonPropertyName("exit_code")] public int ExitCode { get; init; }
    /// <summary>One line, credentials masked (<see cref="Secrets.Redact(string)"/>), however the record was made or read.</summary>
    [JsonPropertyName("message")] public required string Message { get; init => field = Secrets.Redact(ErrorText.OneLine(value)); }
    [JsonPropertyName("time_utc")] public DateTime TimeUtc { get; init; }
    [JsonPropertyName("host")] public string Host { get; init; } = Environment.MachineName;
    [JsonPropertyName("slurm_job_id")] public string? SlurmJobId { get; init; } = Environment.GetEnvironmentVariable("SLURM_JOB_ID");

    /// <summary>A null where the record has no nullable field (e.g. "message": null) is a damaged record, not a crash.</summary>
    static readonly JsonSerializerOptions ReadOptions = new() { RespectNullableAnnotations = true };

    /// <summary>Records are one line and a few fields: anything larger is not one llmloc wrote.</summary>
    const long MaxBytes = 64 << 10;

    /// <summary>The record at <paramref name="path"/> (null when there is none); a damaged one, or a link, FIFO or huge
    /// file standing there, is read as a failure that says so rather than followed, waited on or read whole.</summary>
    public static ErrorRecord? Read(string path)
    {
        try
        {
            var bytes = UntrustedFile.ReadBounded(path, MaxBytes, "error record");
            return bytes is null ? null : JsonSerializer.Deserialize<ErrorRecord>(bytes, ReadOptions);
        }
        catch (JsonException) { return new ErrorRecord { Message = $"unreadable error record {path}", ExitCode = ExitCodes.RuntimeError }; }
        catch (LlmLocException e) { return new ErrorRecord { Message = e.Message, ExitCode = ExitCodes.InputError }; }
    }

    /// <summary>Written beside the plan, into a real folder (a link there is refused), through a temporary file.</summary>
    public void Write(string path)
    {
        UntrustedFile.RealFolder(Path.GetDirectoryName(path)!, "the error-record folder");
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true, NewLine = Platform.TextOutput.NewLine }) + Platform.TextOutput.NewLine);
    }
}

/// <summary>Runs cells: one in this process (a Slurm task), or a whole plan as child processes of llmloc.</summary>
public static class SweepRunner
{
    /// <summary>Runs cell <paramref name="index"/> through the same call as <c>llmloc localize</c>. The cell's old error
    /// record is removed first; a failure leaves a new one (a warning if it cannot) and is rethrown.</summary>
    public static void RunTask(SweepPlan plan, int index, TextWriter stdout, TextWriter stderr)
    {
        var cell = plan.Cell(index);
        ChildProcesses.StopWithParent();
        string record = plan.ErrorRecordPath(index);
        // A record tells of the cell's last run only: a task killed from outside (a Slurm time limit, the OOM killer)
        // writes none, and must not leave an earlier run's error to be reported as its own.
        if (File.Exists(record)) File.Delete(record);
        stderr.WriteLine($"sweep: cell {index}/{plan.Cells.Count - 1}: {cell.Label}");
        try
        {
            Localizer.Run(cell.ToLocalizeOptions(), stdout, stderr);
        }
        catch (Exception e)
        {
            // Recorded as the CLI reports it: the same line and exit code the task's process ends with.
            var report = ErrorReport.For(e);
            try { new ErrorRecord { Cell = index, ExitCode = report.ExitCode, Message = report.Message, TimeUtc = DateTime.UtcNow }.Write(record); }
            catch (Exception writeError) when (writeError is IOException or UnauthorizedAccessException or LlmLocException)
            {
                // The cell's own error stays the one the task reports; the record it could not leave is a warning beside it.
                stderr.WriteLine($"llmloc: warning: cannot write the error record {record} ({ErrorText.FirstLine(writeError.Message)}); " +
                    "sweep status will list this cell as missing, not failed");
            }
            throw;
        }
    }

    /// <summary>
    /// Runs every cell without a valid cached mask as <c>SELF sweep run PLAN --task N</c>, <paramref name="jobs"/> at a time;
    /// each child's output goes to <c>X.logs/local-N.log</c>. Failures do not stop the others. Returns 0 when every
    /// cell succeeded, else the first failed cell's exit code.
    /// </summary>
    public static int RunLocal(SweepPlan plan, IReadOnlyList<string> self, int jobs, TextWriter progress)
    {
        if (Path.IsPathRooted(self[0]) && !File.Exists(self[0]))
            throw new LlmLocException($"cannot start cells: llmloc's executable {self[0]} is gone; run 'llmloc sweep run' from an installed llmloc", ExitCodes.RuntimeError);
        var todo = plan.Cells.Where(c => c.CachedMaskProblem() is not null).ToList();
        progress.WriteLine($"sweep: {plan.Cells.Count} cells, {plan.Cells.Count - todo.Count} already cached, running {todo.Count} with {jobs} process(es)");
        UntrustedFile.RealFolder(plan.LogsDir, "the log folder");
        // Each child gets its share of the cores, so K processes do not fight over the same threads.
        int threads = Math.Max(1, Environment.ProcessorCount / jobs);
        int finished = 0;
        var failures = new List<(int Cell, int ExitCode)>();
        var gate = new object();
        // A failure of the run itself (a log or record it cannot write: a full disk, a vanished folder) stops every cell:
        // the children are killed, none is started, and the run ends with that one error.
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? fatal = null;
        using var children = new ChildProcesses();
        Parallel.ForEach(todo, new ParallelOptions { MaxDegreeOfParallelism = jobs }, (cell, loop) =>
        {
            if (Volatile.Read(ref fatal) is not null) { loop.Stop(); return; }
            try { RunCell(plan, cell, self, threads, children, progress, todo.Count, gate, ref finished, failures); }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref fatal, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e), null);
                children.KillAll();
                loop.Stop();
            }
        });
        fatal?.Throw();
        if (failures.Count == 0)
        {
            progress.WriteLine($"sweep: all {plan.Cells.Count} cells done");
            return ExitCodes.Ok;
        }
        progress.WriteLine($"sweep: {failures.Count} of {todo.Count} cells failed (logs in {plan.LogsDir}); 'llmloc sweep status {plan.Path}' lists them, rerunning retries only the cells not yet done");
        return failures.OrderBy(f => f.Cell).First().ExitCode;
    }

    static void RunCell(SweepPlan plan, SweepCell cell, IReadOnlyList<string> self, int threads, ChildProcesses children, TextWriter progress,
        int total, object gate, ref int finished, List<(int Cell, int ExitCode)> failures)
    {
        var watch = Stopwatch.StartNew();
        string log = Path.Combine(plan.LogsDir, $"local-{cell.Index}.log"), record = plan.ErrorRecordPath(cell.Index);
        // As in RunTask: a child that dies before it gets there must not inherit an earlier run's record.
        if (File.Exists(record) || new FileInfo(record).LinkTarget is not null) File.Delete(record);
        int code;
        try { code = children.Run(self, ["sweep", "run", plan.Path, "--task", cell.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)], threads, log); }
        catch (Win32Exception e)
        {
            // Not started at all (not found, not executable): this cell's failure, like any other, not the whole run's.
            code = ExitCodes.RuntimeError;
            new ErrorRecord { Cell = cell.Index, ExitCode = code, Message = $"cannot start '{self[0]}' for this cell ({e.Message}); run 'llmloc sweep run' from an installed llmloc", TimeUtc = DateTime.UtcNow }
                .Write(record);
        }
        if (code != 0 && !File.Exists(record))
            new ErrorRecord { Cell = cell.Index, ExitCode = code, Message = $"the process exited with code {code} without an error message; see {log}", TimeUtc = DateTime.UtcNow }
                .Write(record);
        lock (gate)
        {
            finished++;
            string outcome = code == 0 ? "done" : $"FAILED (exit {code}): {ErrorRecord.Read(record)?.Message}";
            progress.WriteLine($"sweep: [{finished}/{total}] cell {cell.Index} {outcome} ({watch.Elapsed.TotalSeconds:F1} s) {cell.Label}");
            if (code != 0) failures.Add((cell.Index, code));
        }
    }
}
