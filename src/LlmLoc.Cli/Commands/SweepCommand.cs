using LlmLoc.Masks;
using System.CommandLine;
using System.Globalization;
using LlmLoc.Sweeps;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc sweep plan|run|status|slurm</c>: a grid of localize runs, on this machine or as a Slurm job array.</summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var planArg = new Argument<string>("PLAN") { Description = "the plan written by 'llmloc sweep plan' (X.plan.jsonl)" };

        var grid = new Argument<string>("GRID") { Description = "the grid, a TOML file (see docs/sweep.md)" };
        var planOut = new Option<string?>("--out") { Description = "where to write the plan (default: beside the grid, GRID-name.plan.jsonl)" };
        var plan = new Command("plan", "Expand a grid into cells (one localize each) and write the plan, one line per cell.") { grid, planOut };
        plan.SetAction(parse =>
        {
            string gridPath = parse.GetValue(grid)!;
            IO.AtomicFile.CheckDistinct([("GRID", gridPath)], [("--out", parse.GetValue(planOut))]);
            var cells = SweepPlan.Expand(SweepGrid.Load(gridPath));
            var written = SweepPlan.Write(parse.GetValue(planOut) ?? SweepPlan.DefaultPathFor(gridPath), cells);
            int cached = cells.Count(c => c.CachedMaskProblem() is null);
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"sweep: {cells.Count} cells, {cached} already cached, {cells.Count - cached} to run");
            output.WriteLine($"sweep: plan written to {written.Path}");
            output.WriteLine($"sweep: next: 'llmloc sweep run {written.Path} --local -j 2' here, or 'llmloc sweep slurm {written.Path} --submit' on a cluster");
            return ExitCodes.Ok;
        });

        var task = new Option<int?>("--task") { Description = "run only this cell (0-based); default: $SLURM_ARRAY_TASK_ID" };
        var local = new Option<bool>("--local") { Description = "run every cell not yet cached on this machine, as child processes" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "with --local: processes at once (each gets cores/jobs threads)", DefaultValueFactory = _ => 1 };
        var run = new Command("run", "Run one cell (--task N or a Slurm array task) in this process, or the whole plan with --local.") { planArg, task, local, jobs };
        run.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(local))
            {
                if (parse.GetValue(task) is not null)
                    throw new LlmLocException("--local runs the whole plan: drop --task, or drop --local to run one cell", ExitCodes.Usage);
                int processes = Masks.FlagChecks.AtLeastOne("--jobs", parse.GetValue(jobs));
                return SweepRunner.RunLocal(SweepPlan.Load(parse.GetValue(planArg)!), SelfCommand(), processes, parse.InvocationConfiguration.Error);
            }
            int? index = parse.GetValue(task) ?? SlurmTaskId();
            if (index is null)
                throw new LlmLocException("give --task N (a cell of the plan), run inside a Slurm array (SLURM_ARRAY_TASK_ID), or --local for the whole plan", ExitCodes.Usage);
            SweepRunner.RunTask(SweepPlan.Load(parse.GetValue(planArg)!), index.Value, output, parse.InvocationConfiguration.Error);
            return ExitCodes.Ok;
        });

        var status = new Command("status", "Done / failed / invalid / missing per cell, and the summary table (X.summary.csv, X.summary.parquet) of the done ones.") { planArg };
        status.SetAction(parse =>
        {
            var loaded = SweepPlan.Load(parse.GetValue(planArg)!);
            var statuses = SweepStatus.Collect(loaded);
            var output = parse.InvocationConfiguration.Output;
            SweepStatus.Print(statuses, output);
            var rows = SweepStatus.SummaryRows(statuses);
            SweepStatus.WriteSummary(loaded, rows);
            output.WriteLine($"sweep: summary of {rows.Count} done cells in {loaded.SummaryCsvPath} and {loaded.SummaryParquetPath}");
            return ExitCodes.Ok;
        });

        var partition = new Option<string?>("--partition") { Description = "#SBATCH --partition" };
        var time = new Option<string?>("--time") { Description = "#SBATCH --time per cell, e.g. 01:00:00" };
        var mem = new Option<string?>("--mem") { Description = "#SBATCH --mem per cell, e.g. 32G" };
        var cpus = new Option<string?>("--cpus-per-task") { Description = "#SBATCH --cpus-per-task" };
        var gpus = new Option<string?>("--gpus") { Description = "#SBATCH --gpus per cell, e.g. 1 or a100:1" };
        var account = new Option<string?>("--account") { Description = "#SBATCH --account" };
        var maxParallel = new Option<int?>("--max-parallel") { Description = "at most this many cells at once (--array=0-N%M)" };
        var jobName = new Option<string>("--job-name") { Description = "#SBATCH --job-name", DefaultValueFactory = _ => "llmloc-sweep" };
        var sbatchOption = new Option<string[]>("--sbatch-option") { Description = "another #SBATCH line, as given (repeatable), e.g. --sbatch-option=--qos=short", AllowMultipleArgumentsPerToken = false };
        var llmloc = new Option<string?>("--llmloc") { Description = "the command the tasks run as llmloc (default: this llmloc's path)" };
        var scriptOut = new Option<string?>("--out") { Description = "where to write the script (default: X.sbatch beside the plan)" };
        var submit = new Option<bool>("--submit") { Description = "submit the script with sbatch and print the job id" };
        var slurm = new Command("slurm", "Write an sbatch script for a job array, one task per cell; --submit submits it.")
        {
            planArg, partition, time, mem, cpus, gpus, account, maxParallel, jobName, sbatchOption, llmloc, scriptOut, submit,
        };
        slurm.SetAction(parse =>
        {
            if (parse.GetValue(maxParallel) is { } m) Masks.FlagChecks.AtLeastOne("--max-parallel", m);
            var loaded = SweepPlan.Load(parse.GetValue(planArg)!);
            var options = new SlurmOptions
            {
                JobName = parse.GetValue(jobName)!, Partition = parse.GetValue(partition), Time = parse.GetValue(time),
                Mem = parse.GetValue(mem), CpusPerTask = parse.GetValue(cpus), Gpus = parse.GetValue(gpus),
                Account = parse.GetValue(account), MaxParallel = parse.GetValue(maxParallel), Extra = parse.GetValue(sbatchOption) ?? [],
            };
            IReadOnlyList<string> self = parse.GetValue(llmloc) is { } given ? [given] : SelfCommand();
            string script = SlurmScript.Write(loaded, options, self, parse.GetValue(scriptOut));
            var output = parse.InvocationConfiguration.Output;
            if (!parse.GetValue(submit))
            {
                output.WriteLine($"sweep: {loaded.Cells.Count}-task array script written to {script}; submit it with 'sbatch {script}'");
                return ExitCodes.Ok;
            }
            string jobId = SlurmScript.Submit(script);
            parse.InvocationConfiguration.Error.WriteLine($"sweep: submitted {script} ({loaded.Cells.Count} tasks); logs in {loaded.LogsDir}; check with 'llmloc sweep status {loaded.Path}'");
            output.WriteLine(jobId);
            return ExitCodes.Ok;
        });

        return new Command("sweep", "Run a grid of localize runs: plan it, run it here or as a Slurm job array, see what is done.") { plan, run, status, slurm };
    }

    static int? SlurmTaskId()
    {
        string? text = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID");
        if (string.IsNullOrEmpty(text)) return null;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id)
            ? id
            : throw new LlmLocException($"SLURM_ARRAY_TASK_ID '{text}' is not a cell number: submit with 'llmloc sweep slurm', which writes --array=0-N", ExitCodes.Usage);
    }

    /// <summary>How to start this llmloc again: its executable, or <c>dotnet llmloc.dll</c> when it runs through the
    /// dotnet host (or inside another process, e.g. a test host).</summary>
    static IReadOnlyList<string> SelfCommand()
    {
        string? process = Environment.ProcessPath;
        bool isDotnetHost = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet";
        if (process is not null && !isDotnetHost && System.Reflection.Assembly.GetEntryAssembly() == typeof(Program).Assembly)
            return [process];
        string host = isDotnetHost ? process! : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } env ? env : "dotnet";
        return [host, typeof(Program).Assembly.Location];
    }
}
