using System.Text.Json;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Workflow;

/// <summary>
/// The build's platform switches, read from MSBuild's evaluation (no restore, no build): a normal build is for this
/// machine's platform only, `dotnet pack` (which sets _IsPacking) for every tool platform, the CUDA switch for Linux and
/// Windows; an unsupported platform stops with one line. (Each platform's unused-natives list is checked on the packages
/// themselves, in QuickStartTests.)
/// </summary>
public class BuildPlatformsTests
{
    static JsonElement Evaluate(string project, params string[] args)
    {
        var run = Shell.Run(Shared.RepoRoot, "dotnet", ["msbuild", project, .. args]);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement;
    }

    static string[] LibTorchPackages(JsonElement evaluation) =>
        [.. evaluation.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(i => i.GetProperty("Identity").GetString()!).Where(n => n.StartsWith("libtorch-", StringComparison.Ordinal)).Order()];

    const string Core = "src/LlmLoc.Core/LlmLoc.Core.csproj", Cli = "src/LlmLoc.Cli/LlmLoc.Cli.csproj";

    [Fact]
    public void ABuildIsForThisMachinesPlatformAndPackingForEveryToolPlatform()
    {
        var build = Evaluate(Core, "-getItem:PackageReference", "-getProperty:RuntimeIdentifier");
        Assert.Equal(["libtorch-cpu-linux-x64"], LibTorchPackages(build));
        Assert.Equal("linux-x64", build.GetProperty("Properties").GetProperty("RuntimeIdentifier").GetString());

        var pack = Evaluate(Core, "-getItem:PackageReference", "-p:_IsPacking=true");
        Assert.Equal(["libtorch-cpu-linux-x64", "libtorch-cpu-osx-arm64", "libtorch-cpu-win-x64"], LibTorchPackages(pack));

        var cuda = Evaluate(Core, "-getItem:PackageReference", "-p:_IsPacking=true", "-p:LibTorchVariant=cuda-12.8");
        Assert.Equal(["libtorch-cuda-12.8-linux-x64", "libtorch-cuda-12.8-win-x64"], LibTorchPackages(cuda));

        var cliPack = Evaluate(Cli, "-getProperty:ToolPackageRuntimeIdentifiers", "-getProperty:RuntimeIdentifier", "-p:_IsPacking=true");
        Assert.Equal("linux-x64;osx-arm64;win-x64", cliPack.GetProperty("Properties").GetProperty("ToolPackageRuntimeIdentifiers").GetString());
        Assert.Equal("", cliPack.GetProperty("Properties").GetProperty("RuntimeIdentifier").GetString()); // the pointer package's build
    }

    [Fact]
    public void AnUnsupportedPlatformStopsWithOneLineBeforeRestore()
    {
        var run = Shell.Run(Shared.RepoRoot, "dotnet", ["msbuild", Core, "-t:CollectPackageReferences", "-p:RuntimeIdentifier=linux-arm64", "-nologo", "-v:q"]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("llmloc builds for linux-x64;osx-arm64;win-x64 (the platforms with a libtorch-cpu 2.10.0 package), not for linux-arm64", run.Stdout);
    }
}
