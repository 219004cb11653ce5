using System.Diagnostics;
using LlmLoc.Sweeps;

namespace LlmLoc.Tests.Hardening;

/// <summary>
/// Issue 22, classes 2-4 for sweeps: the generated Slurm script cannot be steered by data, a plan's folder is not
/// trusted (links, FIFOs, huge files, damaged lines), and a run whose logs cannot be written, or whose parent stops,
/// ends with one line and leaves no child running.
/// </summary>
public sealed class SweepHardeningTests : IDisposable
{
    readonly TempDir dir = new();
    public void Dispose() => dir.Dispose();

    string Grid(string folder, string models = "\"tiny-gpt2\"", string extra = "")
    {
        Directory.CreateDirectory(folder);
        string model = Path.Combine(folder, "tiny-gpt2");
        if (!Directory.Exists(model)) Directory.CreateSymbolicLink(model, Shared.Fixture("models", "gpt2"));
        string grid = Path.Combine(folder, "grid.toml");
        File.WriteAllText(grid, $"""
            models = [{models}]
            networks = ["language"]
            percentages = [1]
            device = "cpu"
            stimuli_dir = "{Shared.Path_("stimuli")}"
            cache_dir = "{Path.Combine(dir.Path, "cache")}"
            {extra}
            """);
        return grid;
    }

    string Plan(string folder, string models = "\"tiny-gpt2\"")
    {
        string grid = Grid(folder, models);
        var result = CliRunner.Run("sweep", "plan", grid);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return Path.Combine(folder, "grid.plan.jsonl");
    }

    static void NoTypeNames(string stderr) =>
        Assert.DoesNotMatch(@"\b(System\.|[A-Z][A-Za-z]*Exception\b|internal error)", stderr.Split('\n').Single(l => l.StartsWith("llmloc: error:")));

    // 2. The Slurm script.
    [Theory]
    [InlineData("folder", "plan\nrm -rf ~\n#")]
    [InlineData("--partition", "gpu\nrm -rf ~")]
    [InlineData("--job-name", "x\0y")]
    [InlineData("--sbatch-option", "--qos=short\ntouch /tmp/pwned")]
    [InlineData("--llmloc", "/usr/bin/llmloc\n/bin/sh")]
    public void ANewlineOrNulInAnyValueOfTheScriptIsRefused(string where, string value)
    {
        string folder = where == "folder" ? Path.Combine(dir.Path, value.Replace("\0", "")) : dir.File("plain");
        string plan = Plan(folder);
        string[] flags = where == "folder" ? [] : [where, value];
        var result = BadInputs.Fails(ExitCodes.Usage, "control character", ["sweep", "slurm", plan, .. flags]);
        NoTypeNames(result.Stderr);
        Assert.Empty(Directory.GetFiles(folder, "*.sbatch"));
    }

    [Fact]
    public void QuotesAndShellCharactersInPathsAndValuesReachTheTaskUnchanged()
    {
        // A folder name full of what a shell or sbatch would interpret: it must arrive as one argument, as written.
        string folder = Path.Combine(dir.Path, "it's a \"plan\" $(touch pwned) `id` # %x \\ end");
        string plan = Plan(folder);
        string script = Path.Combine(dir.Path, "job.sbatch");
        var result = CliRunner.Run("sweep", "slurm", plan, "--llmloc", "/bin/echo", "--job-name", "a b\"c#d", "--out", script,
            "--sbatch-option=--comment=two words");
        Assert.True(result.ExitCode == 0, result.Stderr);
        string text = File.ReadAllText(script);
        Assert.Contains("#SBATCH --job-name=\"a b\\\"c#d\"\n", text);
        Assert.Contains("#SBATCH \"--comment=two words\"\n", text);
        // Run the script's command line as bash would (echo stands in for llmloc).
        var bash = Process.Start(new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, WorkingDirectory = dir.Path, Environment = { ["SLURM_ARRAY_TASK_ID"] = "0" } })!;
        string echoed = bash.StandardOutput.ReadToEnd();
        bash.WaitForExit();
        Assert.Equal(0, bash.ExitCode);
        Assert.Equal($"sweep run {plan} --task 0\n", echoed);
        Assert.False(File.Exists(dir.File("pwned")));
    }

    [Fact]
    public void AnEmptyPlanIsRefusedNotSubmittedAsArrayZeroToMinusOne()
    {
        string plan = dir.File("empty.plan.jsonl");
        File.WriteAllText(plan, "");
        foreach (var verb in new[] { "slurm", "status" })
        {
            var result = BadInputs.Fails(ExitCodes.InputError, "has no cells", "sweep", verb, plan);
            NoTypeNames(result.Stderr);
        }
        Assert.Equal(["empty.plan.jsonl"], BadInputs.FilesIn(dir.Path));
    }

    // 3. Plan folders are not trusted.
    [Theory]
    [InlineData("\"model\": null", "line 1 is not a sweep cell ('model' is null)")]
    [InlineData("\"seed\": null", "'seed' is null")]
    [InlineData("\"seed\": \"42\"", "'seed' is \"42\", expected a whole number")]
    [InlineData("\"seed\": 1e99", "'seed' is 1e99")]
    [InlineData("\"cell\": 3", "'cell' is 3, expected 0")]
    [InlineData("\"percentage\": 1000", "--percentage 1000 is out of range")]
    [InlineData("\"batch_size\": 0", "--batch-size 0 is out of range")]
    [InlineData("\"pooling\": \"max\"", "max")]
    [InlineData("\"model\": \"\"", "'model' is empty")]
    [InlineData("\"cache_dir\": \"relative\"", "'cache_dir' is not an absolute path")]
    [InlineData("\"localizer\": \"relative.toml\"", "'localizer' is not an absolute path")]
    [InlineData("\"localizer\": \"/nowhere/def.toml\"", "localizer definition /nowhere/def.toml does not exist")]
    [InlineData("\"site\": \"attn\"", "unknown --site 'attn'")]
    [InlineData("\"site\": null", "'site' is null")]
    [InlineData("\"model\": \"\\ud800\"", "lone UTF-16 surrogate")]
    public void APlanLineIsCheckedFieldByField(string field, string message)
    {
        string plan = Plan(dir.File("p"));
        string line = File.ReadAllLines(plan)[0];
        string key = field[..(field.IndexOf(':') + 1)];
        int start = line.IndexOf(key, StringComparison.Ordinal);
        int end = line.IndexOfAny([',', '}'], start + key.Length);
        if (line[start + key.Length] == '"') end = line.IndexOf('"', start + key.Length + 1) + 1;
        File.WriteAllText(plan, line[..start] + field + line[end..] + "\n");
        foreach (var args in new[] { new[] { "sweep", "status", plan }, ["sweep", "run", plan, "--task", "0"], ["sweep", "slurm", plan] })
        {
            var result = BadInputs.Fails(ExitCodes.InputError, message, args);
            NoTypeNames(result.Stderr);
        }
        Assert.Equal(["grid.plan.jsonl", "grid.toml"], BadInputs.FilesIn(dir.File("p")).Where(f => !f.StartsWith("tiny")));
    }

    [Fact]
    public void OutNeverNamesTheCommandsOwnInput()
    {
        string grid = Grid(dir.File("g"));
        string gridText = File.ReadAllText(grid);
        BadInputs.Fails(ExitCodes.Usage, "is the GRID file", "sweep", "plan", grid, "--out", grid);
        Assert.Equal(gridText, File.ReadAllText(grid));

        string plan = Plan(dir.File("g"));
        string planText = File.ReadAllText(plan);
        BadInputs.Fails(ExitCodes.Usage, "is the PLAN file", "sweep", "slurm", plan, "--out", plan);
        Assert.Equal(planText, File.ReadAllText(plan));
    }

    [Fact]
    public void AHugeGridIsRefusedWithItsCellCountAndHowToSplitIt()
    {
        string models = string.Join(", ", Enumerable.Range(0, 400).Select(i => $"\"org/model-{i}\""));
        string grid = Grid(dir.File("h"), models, "seeds = [" + string.Join(", ", Enumerable.Range(0, 500)) + "]\nuntrained = [true]");
        var result = BadInputs.Fails(ExitCodes.Usage, "has up to 200000 cells", "sweep", "plan", grid);
        Assert.Contains("split it into several grids", result.Stderr);
        Assert.False(File.Exists(dir.File("h/grid.plan.jsonl")));
    }

    [Fact]
    public void ALinkPlantedWhereACellLogGoesIsReplacedNotWrittenThrough()
    {
        string plan = Plan(dir.File("l"));
        string victim = dir.File("victim.txt");
        File.WriteAllText(victim, "precious");
        string logs = dir.File("l/grid.plan.logs");
        Directory.CreateDirectory(logs);
        File.CreateSymbolicLink(Path.Combine(logs, "local-0.log"), victim);

        var result = CliRunner.Run("sweep", "run", plan, "--local");
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Equal("precious", File.ReadAllText(victim));
        var log = new FileInfo(Path.Combine(logs, "local-0.log"));
        Assert.Null(log.LinkTarget);
        Assert.Contains("sweep: cell 0/0", File.ReadAllText(log.FullName));
    }

    [Theory]
    [InlineData("grid.plan.logs", "run")]
    [InlineData("grid.plan.logs", "slurm")]
    [InlineData("grid.plan.errors", "run-task")]
    public void AFolderLinkWhereLogsOrRecordsGoIsRefused(string folder, string verb)
    {
        string plan = Plan(dir.File("f"));
        string elsewhere = dir.File("elsewhere");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateSymbolicLink(dir.File("f/" + folder), elsewhere);
        if (verb == "run-task")
        {
            // The cell fails (no stimuli) and its record would go through the link: refused, so only a warning.
            File.WriteAllText(plan, File.ReadAllText(plan).Replace(Shared.Path_("stimuli"), dir.File("no-stimuli")));
            var task = CliRunner.Run("sweep", "run", plan, "--task", "0");
            Assert.NotEqual(0, task.ExitCode);
            Assert.Contains("is a symbolic link", task.Stderr);
        }
        else
        {
            var result = BadInputs.Fails(ExitCodes.InputError, "is a symbolic link", verb == "run" ? ["sweep", "run", plan, "--local"] : ["sweep", "slurm", plan]);
            NoTypeNames(result.Stderr);
        }
        Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
    }

    [Fact]
    public void AFifoOrAHugeFileWhereAnErrorRecordGoesIsReportedNotWaitedOnOrReadWhole()
    {
        string plan = Plan(dir.File("r"), "\"tiny-gpt2\", \"tiny-b\"");
        Directory.CreateSymbolicLink(dir.File("r/tiny-b"), Shared.Fixture("models", "gpt2"));
        string errors = dir.File("r/grid.plan.errors");
        Directory.CreateDirectory(errors);
        Process.Start("mkfifo", [Path.Combine(errors, "cell-0.json")])!.WaitForExit();
        using (var huge = File.Create(Path.Combine(errors, "cell-1.json"))) huge.SetLength(3L << 30);

        // A child process, so a hang fails the test instead of stopping the suite.
        var result = ChildCli.Run(["sweep", "status", plan], timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("is not a regular file (a FIFO", result.Stdout);
        Assert.Contains("bytes, more than the 65536", result.Stdout);
        Assert.Contains("0 done, 2 failed", result.Stdout);
    }

    // 4. Every write can fail, logs included, and children never outlive the run.
    [MountFact]
    public void AFullDiskWhileWritingLogsIsOneLineAndLeavesNoChildRunning()
    {
        string plan = Plan(dir.File("d"));
        using var tmpfs = Tmpfs.Mount(dir.Path, 64);
        string planOnFull = Path.Combine(tmpfs.Path, "grid.plan.jsonl");
        File.Copy(plan, planOnFull);
        tmpfs.Fill();

        var result = ChildCli.Run(["sweep", "run", planOnFull, "--local"], timeout: TimeSpan.FromSeconds(120));
        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        CliRunner.AssertOneErrorLine(result.Stderr, "no space left on the device");
        NoTypeNames(result.Stderr);
        // Nothing partial: no log, no record, no temporary file; and no cell process left behind.
        Assert.Equal(["filler", "grid.plan.jsonl"], BadInputs.FilesIn(tmpfs.Path));
        Assert.Empty(CellProcesses(planOnFull));
    }

    [Theory]
    [InlineData("SIGKILL")]
    [InlineData("SIGTERM")]
    public async Task AParentThatStopsStopsItsChildren(string signal)
    {
        // The cell's model folder has a FIFO for config.json: the cell blocks there until killed.
        string model = dir.File("k/tiny-gpt2");
        Directory.CreateDirectory(model);
        Process.Start("mkfifo", [Path.Combine(model, "config.json")])!.WaitForExit();
        string grid = Grid(dir.File("k"));
        Assert.Equal(0, CliRunner.Run("sweep", "plan", grid).ExitCode);
        string plan = dir.File("k/grid.plan.jsonl");

        using var parent = Process.Start(ChildCli.StartInfo(["sweep", "run", plan, "--local"]))!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (CellProcesses(plan).Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        var cells = CellProcesses(plan);
        Assert.Single(cells);
        // Let the cell reach the FIFO, then stop the parent.
        await Task.Delay(1000);
        Process.Start("kill", [$"-{signal}", parent.Id.ToString()])!.WaitForExit();
        await parent.WaitForExitAsync();
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (CellProcesses(plan).Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        var left = CellProcesses(plan);
        foreach (int pid in left) try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { }
        Assert.Empty(left);
    }

    /// <summary>Running cell processes of <paramref name="plan"/> (`sweep run PLAN --task N`), from /proc.</summary>
    static List<int> CellProcesses(string plan)
    {
        var found = new List<int>();
        foreach (var proc in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out int pid)) continue;
            try
            {
                string[] args = File.ReadAllText(Path.Combine(proc, "cmdline")).Split('\0');
                if (args.Contains(plan) && args.Contains("--task") && !File.ReadAllText(Path.Combine(proc, "stat")).Contains(") Z "))
                    found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }
}
