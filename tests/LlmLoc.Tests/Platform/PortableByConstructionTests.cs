using System.Text.RegularExpressions;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Platform;

/// <summary>
/// Guards of the source: every call that depends on the operating system lives in src/LlmLoc.Core/Platform, and no
/// text output takes the system's line end ("\r\n" on Windows) — checks that can fail on Linux for code that would
/// only misbehave elsewhere.
/// </summary>
public class PortableByConstructionTests
{
    static IEnumerable<(string Path, string Text)> Sources(bool includePlatform) =>
        Directory.EnumerateFiles(Path.Combine(Shared.RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => includePlatform || !f.Contains(Path.Combine("LlmLoc.Core", "Platform") + Path.DirectorySeparatorChar))
            .Select(f => (Path.GetRelativePath(Shared.RepoRoot, f), File.ReadAllText(f)));

    [Fact]
    public void SystemSpecificCallsAreOnlyInThePlatformLayer()
    {
        var pattern = new Regex(@"DllImport|LibraryImport|OperatingSystem\.Is|RuntimeInformation\.IsOSPlatform|""/proc/|""/sys/|SetUnixFileMode|CreateSymbolicLink|PosixSignal|File\.Move\(|Environment\.GetFolderPath|""HOME""|""USERPROFILE""");
        var found = Sources(includePlatform: false)
            .SelectMany(s => s.Text.Split('\n').Select((line, i) => (s.Path, Line: i + 1, Text: line)))
            .Where(l => pattern.IsMatch(l.Text) && !l.Text.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .Select(l => $"{l.Path}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(found.Count == 0, "move these into src/LlmLoc.Core/Platform:\n" + string.Join('\n', found));
    }

    [Fact]
    public void NoTextOutputTakesTheSystemsLineEnd()
    {
        var systemLineEnd = new Regex(@"Environment\.NewLine|\.AppendLine\(|File\.(Write|Append)AllLines|new StreamWriter\((?![^;]*NewLine)|WriteIndented = true(?![^;]*NewLine)|new Utf8JsonWriter\(");
        var found = Sources(includePlatform: true)
            .Where(s => systemLineEnd.IsMatch(s.Text))
            .Select(s => $"{s.Path}: {systemLineEnd.Match(s.Text).Value}")
            .ToList();
        Assert.True(found.Count == 0, "set NewLine = Platform.TextOutput.NewLine (\"\\n\") for:\n" + string.Join('\n', found));
    }
}
