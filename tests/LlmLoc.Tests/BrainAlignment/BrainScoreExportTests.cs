using System.Diagnostics;
using LlmLoc.BrainAlignment;
using LlmLoc.Extraction;
using LlmLoc.Numerics;
using LlmLoc.Tests.Infrastructure;
using LlmLoc.Tests.Localization;

namespace LlmLoc.Tests.BrainAlignment;

/// <summary>A fact that needs a Python 3 with numpy and xarray (Debian's python3-xarray, which CI installs); skipped,
/// with that reason, only where none is found.</summary>
public sealed class PythonXarrayFactAttribute : FactAttribute
{
    public PythonXarrayFactAttribute()
    {
        if (Python.WithXarray is null)
            Skip = "no python3 with numpy and xarray on this machine (tried /usr/bin/python3 and python3 on PATH): install Debian's python3-xarray";
    }
}

public static class Python
{
    /// <summary>The first of /usr/bin/python3 and python3 that imports numpy and xarray, or null.</summary>
    public static string? WithXarray { get; } = new[] { "/usr/bin/python3", "python3" }.FirstOrDefault(p => Run(p, ["-c", "import numpy, xarray"]).ExitCode == 0);

    public static (int ExitCode, string Output) Run(string python, IEnumerable<string> arguments)
    {
        try
        {
            var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in arguments) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout.Result + stderr);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, $"{python} not found");
        }
    }
}

/// <summary>scripts/export_brainscore.py on a small fake Pereira-like assembly built with xarray (MultiIndex dims as
/// brainio's NeuroidAssembly), then the exported files scored by align as the benchmark scores each experiment.</summary>
public class BrainScoreExportTests
{
    const int Per243 = 18, Per384 = 22;

    /// <summary>Presentation p (assembly order) belongs to 243sentences when p % 20 &lt; 9 (two blocks, interleaved with
    /// 384sentences); responses [p, n] = 100 p + n, with subject s2 (neuroids 3-5) NaN on 243sentences and neuroid 1 NaN
    /// on presentation 2 (a 243sentences one).</summary>
    const string MakeAssembly = """
        import sys, importlib.util
        import numpy as np, xarray as xr
        spec = importlib.util.spec_from_file_location("export_brainscore", sys.argv[1])
        module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
        n = 40
        experiment = ["243sentences" if p % 20 < 9 else "384sentences" for p in range(n)]
        values = np.array([[100.0 * p + c for c in range(6)] for p in range(n)])
        for p in range(n):
            if experiment[p] == "243sentences": values[p, 3:] = np.nan
        values[2, 1] = np.nan
        assembly = xr.DataArray(values, dims=["presentation", "neuroid"], coords={
            "stimulus_id": ("presentation", [f"{e[:3]}.{p}" for p, e in enumerate(experiment)]),
            "stimulus": ("presentation", [f"Sentence {p}, \"quoted\"." for p in range(n)]),
            "passage_label": ("presentation", [f"topic{p // 4}" for p in range(n)]),
            "experiment": ("presentation", experiment),
            "neuroid_id": ("neuroid", [f"{s}.{v}" for s in ("s1", "s2") for v in range(3)]),
            "subject": ("neuroid", ["s1"] * 3 + ["s2"] * 3),
            "voxel_num": ("neuroid", [10, 11, 12, 10, 11, 12])})
        assembly = assembly.set_index(presentation=["stimulus_id", "stimulus", "passage_label", "experiment"], neuroid=["neuroid_id", "subject", "voxel_num"])
        for path in module.export(assembly, sys.argv[2], "Fake"):
            print(path)
        """;

    static string Script => Path.Combine(Shared.RepoRoot, "scripts", "export_brainscore.py");

    [PythonXarrayFact]
    public void ExportWritesEachExperimentInAssemblyOrderWithBrainScoresDropnaAndAlignScoresItAsTheBenchmark()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("make.py"), MakeAssembly);
        var (code, output) = Python.Run(Python.WithXarray!, [dir.File("make.py"), Script, dir.File("out")]);
        Assert.True(code == 0, output);
        string Out(string name) => Path.Combine(dir.File("out"), name);

        // Presentations of 243sentences in assembly order; s2's voxels (NaN there) and neuroid 1 (NaN on presentation 2) dropped.
        var stimuli = File.ReadAllLines(Out("Fake.243sentences.stimuli.csv"));
        Assert.Equal("stimulus_id,passage,text,experiment", stimuli[0]);
        int[] rows243 = stimuli.Skip(1).Select(l => int.Parse(l.Split(',')[0].Split('.')[1])).ToArray();
        Assert.Equal(Per243, rows243.Length);
        Assert.Equal(rows243.Order(), rows243);
        Assert.Equal($"243.{rows243[0]},topic{rows243[0] / 4},\"Sentence {rows243[0]}, \"\"quoted\"\".\",243sentences", stimuli[1]);
        var y243 = Npy.Read(Out("Fake.243sentences.responses.npy"));
        Assert.Equal([.. Enumerable.Range(0, 9), .. Enumerable.Range(20, 9)], rows243);
        int[] kept243 = [0, 2];
        Assert.Equal([Per243, kept243.Length], y243.Shape);
        Assert.Equal(rows243.SelectMany(p => kept243.Select(c => 100.0 * p + c)), y243.ToDoubles());
        Assert.Equal(["column,neuroid_id,subject,voxel_num", .. kept243.Select((c, i) => $"{i},s1.{c},s1,{10 + c}")], File.ReadAllLines(Out("Fake.243sentences.columns.csv")));

        var y384 = Npy.Read(Out("Fake.384sentences.responses.npy"));
        int[] rows384 = File.ReadAllLines(Out("Fake.384sentences.stimuli.csv")).Skip(1).Select(l => int.Parse(l.Split(',')[0].Split('.')[1])).ToArray();
        int[] kept384 = [0, 1, 2, 3, 4, 5];
        Assert.Equal([Per384, kept384.Length], y384.Shape);
        Assert.Equal(rows384.SelectMany(p => kept384.Select(c => 100.0 * p + c)), y384.ToDoubles());
        Assert.Equal("4,s2.1,s2,11", File.ReadAllLines(Out("Fake.384sentences.columns.csv"))[5]);

        // All experiments: every neuroid, NaN kept, passages qualified by experiment.
        var all = File.ReadAllLines(Out("Fake.stimuli.csv"));
        Assert.Equal(Per243 + Per384 + 1, all.Length);
        Assert.StartsWith("243.0,243sentences/topic0,", all[1]);
        Assert.StartsWith("384.9,384sentences/topic2,", all[10]);
        Assert.Equal([Per243 + Per384, 6], Npy.Read(Out("Fake.responses.npy")).Shape);

        // align on the combined files with --group-column experiment equals align on each experiment's own files.
        var rng = new Random(4);
        int n = Per243 + Per384;
        double[] x = Enumerable.Range(0, n * 4).Select(_ => rng.NextDouble()).ToArray();
        Npy.Write(dir.File("x.npy"), x, n, 4);
        var items = ExtractionItems.Load(Out("Fake.stimuli.csv"));
        using (var outputs = new LlmLoc.IO.OutputSet())
        {
            ExtractRun.AddItemTable(outputs, dir.File("items.csv"), items, items.Select(_ => (IReadOnlyList<int>)[1]).ToList(), new int[n]);
            outputs.Commit();
        }
        var grouped = CliRunner.Run("align", "--activations", dir.File("x.npy"), "--responses", Out("Fake.responses.npy"), "--brainscore",
            "--items", dir.File("items.csv"), "--group-column", "experiment", "--ceiling", "243sentences=0.35378928", "--ceiling", "384sentences=0.36343748",
            "--json", dir.File("g.json"));
        Assert.True(grouped.ExitCode == 0, grouped.Stderr);
        var doc = TestJson.Read<AlignReport.Document>(dir.File("g.json"));
        foreach (var (experiment, rows) in new[] { ("243sentences", rows243), ("384sentences", rows384) })
        {
            Npy.Write(dir.File($"x{experiment}.npy"), rows.SelectMany(p => x.Skip(p * 4).Take(4)).ToArray(), rows.Length, 4);
            var alone = CliRunner.Run("align", "--activations", dir.File($"x{experiment}.npy"), "--responses", Out($"Fake.{experiment}.responses.npy"),
                "--brainscore", "--json", dir.File($"{experiment}.json"));
            Assert.True(alone.ExitCode == 0, alone.Stderr);
            var single = TestJson.Read<AlignReport.Document>(dir.File($"{experiment}.json")).Conditions.Single().Groups.Single();
            var group = doc.Conditions.Single().Groups.Single(g => g.Group == experiment);
            Assert.Equal(single.Score, group.Score);
            Assert.Equal(single.Folds.Select(f => f.R), group.Folds.Select(f => f.R));
        }
    }
}
