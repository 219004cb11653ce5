using LlmLoc.Platform;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Platform;

/// <summary>
/// The naming rules of Windows, macOS and Linux, checked on Linux: pure functions of the name and the system. Windows'
/// cases follow Python 3.13's ntpath.isreserved.
/// </summary>
public class PortableNamesTests
{
    [Theory]
    [InlineData("CON"), InlineData("con"), InlineData("NUL.npy"), InlineData("nul .txt"), InlineData("Aux.tar.gz"), InlineData("COM1")]
    [InlineData("lpt9.log"), InlineData("COM¹"), InlineData("CONIN$"), InlineData("PRN")]
    public void WindowsDeviceNamesAreRefusedThereAndAcceptedOnLinuxAndMacOS(string name)
    {
        Assert.Contains("is a device name on Windows", PortableNames.NameProblem(name, OsFamily.Windows));
        Assert.Null(PortableNames.NameProblem(name, OsFamily.Linux));
        Assert.Null(PortableNames.NameProblem(name, OsFamily.MacOS));
        Assert.NotNull(PortableNames.PortableNameProblem(name));
    }

    [Theory]
    [InlineData("CONSOLE"), InlineData("con_network=language.npy"), InlineData("COM0"), InlineData("COM10"), InlineData("xNUL"), InlineData("gpt2")]
    public void NamesThatOnlyResembleDevicesAreValidEverywhere(string name) => Assert.Null(PortableNames.PortableNameProblem(name));

    [Theory]
    [InlineData("my:model", ':'), InlineData("a*b", '*'), InlineData("what?", '?'), InlineData("say\"hi\"", '"')]
    [InlineData("a<b", '<'), InlineData("a>b", '>'), InlineData("a|b", '|'), InlineData(@"a\b", '\\')]
    public void WindowsForbiddenCharactersAreNamed(string name, char character)
    {
        Assert.Equal($"Windows forbids the character '{character}' in file names", PortableNames.NameProblem(name, OsFamily.Windows));
        Assert.Null(PortableNames.NameProblem(name, OsFamily.Linux));
    }

    [Fact]
    public void ControlCharactersAndTrailingDotsOrSpacesAreRefusedOnWindows()
    {
        Assert.Equal("Windows forbids control characters in file names", PortableNames.NameProblem("tab\there", OsFamily.Windows));
        Assert.Equal("Windows drops a trailing dot from file names", PortableNames.NameProblem("model.", OsFamily.Windows));
        Assert.Equal("Windows drops a trailing space from file names", PortableNames.NameProblem("model ", OsFamily.Windows));
        Assert.Null(PortableNames.NameProblem("model.", OsFamily.MacOS));
    }

    [Fact]
    public void NameLengthIsCountedInUtf16UnitsOnWindowsAndUtf8BytesElsewhere()
    {
        string accented = new('é', 200); // 200 UTF-16 units, 400 UTF-8 bytes
        Assert.Null(PortableNames.NameProblem(accented, OsFamily.Windows));
        Assert.Equal("it is 400 bytes long (UTF-8), more than the 255 a file name may have", PortableNames.NameProblem(accented, OsFamily.Linux));
        Assert.NotNull(PortableNames.NameProblem(accented, OsFamily.MacOS));
        Assert.Null(PortableNames.NameProblem(new string('a', 255), OsFamily.Linux));
        Assert.Contains("256 characters long", PortableNames.NameProblem(new string('a', 256), OsFamily.Windows));
    }

    [Fact]
    public void EachSystemHasItsOwnPathLimit()
    {
        string Deep(string root, char separator, int parts) => root + string.Join(separator, Enumerable.Repeat(new string('d', 99), parts));
        string windows = Deep(@"C:\", '\\', 3); // 302 characters
        Assert.Contains("more than the 259 Windows allows (without long paths enabled)", PortableNames.PathProblem(windows, OsFamily.Windows));
        Assert.Null(PortableNames.PathProblem(windows, OsFamily.Windows, windowsLongPaths: true));

        string unix = Deep("/", '/', 11); // 1100 bytes
        Assert.Contains("1100 bytes long, more than the 1023 macOS allows", PortableNames.PathProblem(unix, OsFamily.MacOS));
        Assert.Null(PortableNames.PathProblem(unix, OsFamily.Linux));
        Assert.Contains("more than the 4095 Linux allows", PortableNames.PathProblem(Deep("/", '/', 41), OsFamily.Linux));
    }

    [Theory]
    [InlineData(@"C:\cache\NUL\mask.npy", "NUL")]
    [InlineData(@"\\server\share\models\con.v2", "con.v2")]
    [InlineData(@"\\?\D:\out\a:b", "a:b")]
    [InlineData(@"C:/mixed/separators/aux", "aux")]
    public void WindowsPathsAreCheckedComponentByComponentBelowTheirRoot(string path, string bad)
    {
        Assert.StartsWith($"'{bad}' is not a valid name on Windows", PortableNames.PathProblem(path, OsFamily.Windows));
    }

    [Theory]
    [InlineData(@"C:\Users\me\.cache\huggingface\hub")]
    [InlineData(@"\\server\share\llmloc\cache")]
    [InlineData(@"\\?\C:\very\long\path")]
    public void OrdinaryWindowsPathsPass(string path) => Assert.Null(PortableNames.PathProblem(path, OsFamily.Windows));

    [Theory]
    [InlineData("/home/u/models/gpt2", OsFamily.Linux, "gpt2")]
    [InlineData("/home/u/models/gpt2/", OsFamily.MacOS, "gpt2")]
    [InlineData("meta-llama/Llama-3.2-1B", OsFamily.Windows, "Llama-3.2-1B")]
    [InlineData(@"C:\models\gpt2", OsFamily.Windows, "gpt2")]
    [InlineData(@"C:\models\gpt2\", OsFamily.Windows, "gpt2")]
    [InlineData(@"D:gpt2", OsFamily.Windows, "gpt2")]
    [InlineData(@"C:\models\gpt2", OsFamily.Linux, @"C:\models\gpt2")] // posixpath keeps backslashes
    [InlineData("org/name@v1", OsFamily.Linux, "name@v1")]
    public void ModelIdsArePythonsBasenameOfTheSystem(string modelName, OsFamily os, string expected) =>
        Assert.Equal(expected, PythonPaths.Basename(modelName, os));
}
