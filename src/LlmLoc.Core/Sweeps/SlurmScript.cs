using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using LlmLoc.IO;

namespace LlmLoc.Sweeps;

/// <summary>The scheduler flags passed through to the job array's <c>#SBATCH</c> lines (null = the cluster's default).</summary>
public sealed record SlurmOptions
{
    public string JobName { get; init; } = "llmloc-sweep";
    public string? Partition { get; init; }
    public string? Time { get; init; }
    public string? Mem { get; init; }
    public string? CpusPerTask { get; init; }
    public string? Gpus { get; init; }
    public string? Account { get; init; }
    /// <summary>At most this many tasks at once (<c>%M</c> of <c>--array</c>).</summary>
    public int? MaxParallel { get; init; }
    /// <summary>Further sbatch options, one each, e.g. "--qos=short" (quoted as one word when they need it).</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];
}

/// <summary>
/// <c>llmloc sweep slurm</c>: a job array with one task per cell, each running <c>llmloc sweep run PLAN</c> (which
/// reads SLURM_ARRAY_TASK_ID). Slurm schedules and requeues; llmloc's cells are idempotent (a cached mask is loaded,
/// not recomputed), so a requeued or resubmitted task costs a second at most.
/// </summary>
public static class SlurmScript
{
    public static string Render(SweepPlan plan, SlurmOptions options, IReadOnlyList<string> self)
    {
        CheckWritable(plan, options, self);
        var text = new StringBuilder("#!/bin/bash\n");
        text.Append($"# llmloc sweep: {plan.Cells.Count} cells of {plan.Path}, one array task per cell\n");
        void Sbatch(string flag, string? value) { if (value is not null) text.Append($"#SBATCH --{flag}={SbatchWord(value)}\n"); }
        Sbatch("job-name", options.JobName);
        Sbatch("array", $"0-{plan.Cells.Count - 1}" + (options.MaxParallel is { } m ? $"%{m}" : ""));
        // In Slurm's file name patterns "%%" is a literal '%' (the folder's), "%A_%a" the array job and task ids.
        string logs = plan.LogsDir.Replace("%", "%%");
        Sbatch("output", Path.Combine(logs, "%A_%a.out"));
        Sbatch("error", Path.Combine(logs, "%A_%a.err"));
        foreach (var (flag, value) in SchedulerValues(options).Skip(1))
            Sbatch(flag, value);
        text.Append("#SBATCH --requeue\n");
        foreach (var extra in options.Extra)
            text.Append($"#SBATCH {SbatchWord(extra)}\n");
        text.Append("set -euo pipefail\n");
        text.Append($"exec {string.Join(' ', self.Select(ShellQuote))} sweep run {ShellQuote(plan.Path)} --task \"$SLURM_ARRAY_TASK_ID\"\n");
        return text.ToString();
    }

    /// <summary>Writes the script (and the log folder, which Slurm does not create) and returns its path.</summary>
    public static string Write(SweepPlan plan, SlurmOptions options, IReadOnlyList<string> self, string? path = null)
    {
        path ??= plan.SbatchPath;
        AtomicFile.CheckDistinct([("PLAN", plan.Path)], [("--out", path)]);
        string script = Render(plan, options, self);
        UntrustedFile.RealFolder(plan.LogsDir, "the log folder");
        AtomicFile.WriteAllText(path, script);
        Platform.Executables.MarkExecutable(path);
        return path;
    }

    /// <summary>Submits with <c>sbatch --parsable</c> and returns the job id.</summary>
    public static string Submit(string scriptPath)
    {
        var start = new ProcessStartInfo("sbatch", ["--parsable", scriptPath]) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try { process = Process.Start(start)!; }
        catch (Win32Exception)
        {
            throw new LlmLocException($"sbatch not found on PATH: run this on a Slurm login node, or submit {scriptPath} there with sbatch", ExitCodes.RuntimeError);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                string why = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no message";
                throw new LlmLocException($"sbatch {scriptPath} failed (exit {process.ExitCode}): {why}; fix the #SBATCH options (see llmloc sweep slurm --help) and resubmit", ExitCodes.RuntimeError);
            }
            // --parsable prints "jobid" or "jobid;cluster".
            return stdout.Split(';')[0];
        }
    }

    /// <summary>The #SBATCH options given as values, job name first (null: not given).</summary>
    static IEnumerable<(string Flag, string? Value)> SchedulerValues(SlurmOptions options) =>
    [
        ("job-name", options.JobName), ("partition", options.Partition), ("time", options.Time), ("mem", options.Mem),
        ("cpus-per-task", options.CpusPerTask), ("gpus", options.Gpus), ("account", options.Account),
    ];

    /// <summary>
    /// Data must not steer the script: every path and value is quoted (<see cref="SbatchWord"/>, <see cref="ShellQuote"/>),
    /// and what no quoting makes safe is refused: a control character (a newline ends a <c>#SBATCH</c> or comment line, and
    /// what follows would run as a command; NUL cannot be written at all). An empty plan would be <c>--array=0--1</c>.
    /// </summary>
    static void CheckWritable(SweepPlan plan, SlurmOptions options, IReadOnlyList<string> self)
    {
        if (plan.Cells.Count == 0)
            throw new LlmLocException($"plan '{plan.Path}' has no cells: write it again with 'llmloc sweep plan GRID.toml'", ExitCodes.InputError);
        void Check(string what, string? value)
        {
            if (value is not null && value.Any(char.IsControl))
                throw new LlmLocException(
                    $"{what} holds a control character (newline, tab, NUL, ...), which an sbatch script cannot carry safely: rename it or give it without one",
                    ExitCodes.Usage);
        }
        Check("the plan's path", plan.Path);
        Check("--llmloc", string.Concat(self));
        foreach (var (flag, value) in SchedulerValues(options))
            Check("--" + flag, value);
        foreach (var extra in options.Extra)
        {
            Check("--sbatch-option", extra);
            if (!extra.StartsWith('-'))
                throw new LlmLocException($"--sbatch-option '{extra}' is not one sbatch option: give one option per flag, e.g. --sbatch-option=--qos=short", ExitCodes.Usage);
        }
    }

    /// <summary>An #SBATCH value as one argument: sbatch splits these lines at blanks, groups quoted text, takes '\'
    /// as an escape and an unquoted '#' as a comment (its _get_argument), so a folder with a space is double-quoted.</summary>
    static string SbatchWord(string value) =>
        value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '#')
            ? value
            : "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    static string ShellQuote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=:@%,".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
