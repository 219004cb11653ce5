using System.IO.Compression;
using System.Text.RegularExpressions;
using LlmLoc.Numerics;
using Xunit.Abstractions;

namespace LlmLoc.Tests.Workflow;

/// <summary>
/// The README's quick start, followed from a clean clone with no network: its first command (parsed from the README,
/// so the two cannot drift) writes the GPT-2 language mask; one `dotnet pack` writes a tool package per platform with
/// only that platform's natives, and the Linux one installs and runs the quick start. Slow: builds the project a
/// second time in the clone, and packs it for three platforms.
/// </summary>
[Trait("Category", "Slow")]
public sealed class QuickStartTests(CleanClone clone, ITestOutputHelper output) : IClassFixture<CleanClone>
{
    const string Version = "0.1.0";
    const string QuickStartMask = "gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=False.npy";

    static Dictionary<string, string?> OfflineQuickStartEnvironment() => new()
    {
        ["LLMLOC_STIMULI"] = Shared.Path_("stimuli"),
        ["LLMLOC_NO_DOWNLOAD"] = "1",  // stimuli present: nothing may be fetched
        ["HF_HUB_OFFLINE"] = "1",      // --untrained gpt2 needs no hub request
        ["LOC_CACHE"] = null,
    };

    static void AssertQuickStartMask(string path)
    {
        var mask = Npy.Read(path);
        Assert.Equal([12, 768], mask.Shape);
        var values = mask.ToInt64s();
        Assert.Equal(92, values.Count(v => v == 1));
        Assert.Equal(values.Length - 92, values.Count(v => v == 0));
    }

    [Fact]
    public void FirstCommandWritesTheUntrainedGpt2LanguageMaskWithoutNetwork()
    {
        string command = QuickStartReadme.Commands()[0];
        var run = Shell.Run(clone.Path, "bash", ["-c", command], OfflineQuickStartEnvironment());
        output.WriteLine($"`{command}` took {run.Elapsed.TotalSeconds:F0} s (build + localize)");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        AssertQuickStartMask(Path.Combine(clone.Path, "cache", QuickStartMask));
    }

    /// <summary>What each platform's package must carry (TorchSharp's and libtorch's natives, the plots' natives, the
    /// OpenMP runtime libtorch links) and what it must not (libraries nothing loads, dropped by the csproj's lists).</summary>
    public static TheoryData<string, string[], string[]> Platforms => new()
    {
        { "linux-x64", ["libtorch_cpu.so", "libtorch.so", "libc10.so", "libgomp-98b21ff3.so.1", "libLibTorchSharp.so", "libSkiaSharp.so", "libHarfBuzzSharp.so", "llmloc"],
            ["libtorch_python.so", "libtorch_global_deps.so", "libshm.so", "libjitbackend_test.so", "libnnapi_backend.so"] },
        { "osx-arm64", ["libtorch_cpu.dylib", "libtorch.dylib", "libc10.dylib", "libomp.dylib", "libLibTorchSharp.dylib", "libSkiaSharp.dylib", "libHarfBuzzSharp.dylib", "llmloc"],
            ["libtorch_python.dylib", "libtorch_global_deps.dylib", "libshm.dylib"] },
        { "win-x64", ["torch_cpu.dll", "torch.dll", "c10.dll", "libiomp5md.dll", "LibTorchSharp.dll", "libSkiaSharp.dll", "libHarfBuzzSharp.dll", "llmloc.exe"],
            ["torch_global_deps.dll", "uv.dll", "libiompstubs5md.dll"] },
    };

    Dictionary<string, string> PackedPlatforms()
    {
        var pack = clone.Pack();
        Assert.True(pack.ExitCode == 0, pack.Stdout + pack.Stderr);
        var packages = Directory.GetFiles(clone.Artifacts, "*.nupkg").ToDictionary(p => Path.GetFileName(p));
        output.WriteLine($"dotnet pack: {pack.Elapsed.TotalSeconds:F0} s; " +
            string.Join(", ", packages.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {new FileInfo(p.Value).Length / 1e6:F1} MB")));
        Assert.Equal(["llmloc.0.1.0.nupkg", "llmloc.linux-x64.0.1.0.nupkg", "llmloc.osx-arm64.0.1.0.nupkg", "llmloc.win-x64.0.1.0.nupkg"], packages.Keys.Order(StringComparer.Ordinal));
        return packages;
    }

    [Fact]
    public void ThePointerPackageNamesOnePackagePerPlatformAndCarriesNoProgram()
    {
        var packages = PackedPlatforms();
        using var zip = ZipFile.OpenRead(packages[$"llmloc.{Version}.nupkg"]);
        var settings = Assert.Single(zip.Entries, e => e.FullName.StartsWith("tools/", StringComparison.Ordinal));
        Assert.Equal("tools/any/any/DotnetToolSettings.xml", settings.FullName);
        using var reader = new StreamReader(settings.Open());
        string xml = reader.ReadToEnd();
        foreach (var rid in new[] { "linux-x64", "osx-arm64", "win-x64" })
            Assert.Matches($"<RuntimeIdentifierPackage RuntimeIdentifier=\"{rid}\" Id=\"llmloc.{rid}\"", xml);
    }

    [Theory]
    [MemberData(nameof(Platforms))]
    public void EachPlatformsPackageCarriesItsNativesAndNoOtherPlatforms(string rid, string[] required, string[] dropped) =>
        CheckPlatformPackage(PackedPlatforms()[$"llmloc.{rid}.{Version}.nupkg"], rid, required, dropped);

    internal static void CheckPlatformPackage(string nupkg, string rid, string[] required, string[] dropped)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        string folder = $"tools/net10.0/{rid}/";
        var tools = zip.Entries.Where(e => e.FullName.StartsWith("tools/", StringComparison.Ordinal)).ToList();
        Assert.All(tools, e => Assert.StartsWith(folder, e.FullName));
        var names = tools.Select(e => e.FullName[folder.Length..]).ToHashSet();
        Assert.All(required, name => Assert.Contains(name, names));
        Assert.All(dropped, name => Assert.DoesNotContain(name, names));

        // Every native binary is built for this platform: no other platform's library hides under any name.
        var natives = zip.Entries.Select(e => (e.Name, Kind: NativeBinary.Kind(e))).Where(n => n.Kind is not null).ToList();
        Assert.All(natives, n => Assert.True(n.Kind == rid, $"{n.Name} in the {rid} package is a {n.Kind} binary"));
        Assert.All(required, r => Assert.Contains(natives, n => n.Name == r));
    }

    [Fact]
    public void ToolPackageInstallsRunsTheQuickStartAndCarriesThePatchedTorchLibrary()
    {
        var packages = PackedPlatforms();
        string tools = Path.Combine(clone.Path, "tools");

        // The Linux package's libLibTorchSharp.so is the build's patched copy (the one this test run loads), not the original.
        using (var zip = ZipFile.OpenRead(packages[$"llmloc.linux-x64.{Version}.nupkg"]))
        {
            var entry = Assert.Single(zip.Entries, e => e.Name == "libLibTorchSharp.so");
            using var stream = entry.Open();
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            Assert.Equal(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so")), bytes.ToArray());
        }

        // `dotnet tool install` reads the pointer package and fetches llmloc.linux-x64 from the same folder.
        var install = Shell.Run(clone.Path, "dotnet", ["tool", "install", "--tool-path", tools, "--add-source", clone.Artifacts, "llmloc"]);
        output.WriteLine($"dotnet tool install: {install.Elapsed.TotalSeconds:F0} s");
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);
        string llmloc = Path.Combine(tools, "llmloc");
        Assert.True(Directory.EnumerateFiles(tools, "libtorch_cpu.so", SearchOption.AllDirectories).Any(), "the Linux natives were not installed");

        var version = Shell.Run(clone.Path, llmloc, ["--version"]);
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^0\.1\.0(\+[0-9a-f]+)?\n$", version.Stdout); // "\n" line end, as on every system

        var help = Shell.Run(clone.Path, llmloc, ["--help"]);
        Assert.Equal(0, help.ExitCode);
        foreach (var verb in new[] { "localize", "generate-lesion", "evaluate", "stimuli", "plot" })
            Assert.Contains(verb, help.Stdout);

        // The quick start's first command with the installed tool instead of `dotnet run ... --`.
        string command = Regex.Replace(QuickStartReadme.Commands()[0], @"^dotnet run .*? -- ", "");
        string cache = Path.Combine(clone.Path, "installed-cache");
        var quickStart = Shell.Run(clone.Path, llmloc, [.. command.Split(' '), "--cache-dir", cache], OfflineQuickStartEnvironment());
        output.WriteLine($"installed `llmloc {command}`: {quickStart.Elapsed.TotalSeconds:F0} s");
        Assert.True(quickStart.ExitCode == 0, quickStart.Stderr);
        AssertQuickStartMask(Path.Combine(cache, QuickStartMask));

        // Greedy continuation on the tiny fixture model equals the in-process CLI's.
        string[] generateArgs = ["generate-lesion", "--model-name", Shared.Fixture("models", "gpt2"), "--network", "none",
            "--percentage", "1", "--prompt", "The quick", "--greedy", "--max-length", "6", "--device", "cpu"];
        var generate = Shell.Run(clone.Path, llmloc, generateArgs);
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        var inProcess = CliRunner.Run(generateArgs);
        Assert.Equal(0, inProcess.ExitCode);
        Assert.Equal(inProcess.Stdout, generate.Stdout);
    }
}

/// <summary>Which platform a native binary in a package is built for, from its header: ELF x86-64, Mach-O arm64 (also
/// inside a universal binary, as SkiaSharp ships), or a PE x64 image that is not a .NET assembly (managed .dll files are
/// the same on every platform).</summary>
static class NativeBinary
{
    public static string? Kind(ZipArchiveEntry entry)
    {
        if (entry.Length < 64) return null;
        var head = new byte[4096];
        using (var stream = entry.Open()) stream.ReadAtLeast(head, (int)Math.Min(head.Length, entry.Length), throwOnEndOfStream: false);
        if (head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F')
            return BitConverter.ToUInt16(head, 18) == 62 ? "linux-x64" : "linux-other";
        if (BitConverter.ToUInt32(head, 0) == 0xfeedfacf)
            return BitConverter.ToUInt32(head, 4) == 0x0100000c ? "osx-arm64" : "osx-other";
        if (BitConverter.ToUInt32(head, 0) == 0xbebafeca) // a universal (fat) Mach-O: big-endian list of architectures
        {
            int count = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4));
            bool arm64 = Enumerable.Range(0, Math.Min(count, 100)).Any(i => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(8 + 20 * i)) == 0x0100000c);
            return arm64 ? "osx-arm64" : "osx-other";
        }
        if (head[0] == 'M' && head[1] == 'Z')
        {
            int pe = BitConverter.ToInt32(head, 0x3c);
            if (pe <= 0 || pe + 24 + 240 > head.Length) return "windows-unknown";
            ushort machine = BitConverter.ToUInt16(head, pe + 4);
            int optional = pe + 24;
            bool pe32Plus = BitConverter.ToUInt16(head, optional) == 0x20b;
            int clrDirectory = optional + (pe32Plus ? 112 : 96) + 14 * 8; // the 15th data directory: the CLI header
            if (BitConverter.ToUInt32(head, clrDirectory) != 0) return null; // a .NET assembly
            return machine == 0x8664 ? "win-x64" : "windows-other";
        }
        return null;
    }
}
