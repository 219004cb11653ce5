using System.Runtime.InteropServices;
using LlmLoc.Hub;
using LlmLoc.Platform;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Platform;

/// <summary>
/// The platform layer's system calls and their portable stand-ins: each decision is tested for every system (pure
/// logic), and where Linux has a native call, the portable implementation is checked to give the same result here.
/// </summary>
public sealed class PlatformCallsTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ALockHeldElsewhereIsRecognisedByEachSystemsErrorCode()
    {
        string path = _dir.File("blob.lock");
        using var held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var e = Assert.ThrowsAny<IOException>(() => new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        Assert.True(FileLocks.IsHeldByAnother(e, OsFamily.Linux), $"HResult {e.HResult}: {e.Message}");

        Assert.True(FileLocks.IsHeldByAnother(new IOException("busy", 35), OsFamily.MacOS)); // EWOULDBLOCK on macOS
        Assert.False(FileLocks.IsHeldByAnother(new IOException("busy", 35), OsFamily.Linux)); // EDEADLK there: not a lock held
        Assert.True(FileLocks.IsHeldByAnother(new IOException("sharing", unchecked((int)0x80070020)), OsFamily.Windows));
        Assert.True(FileLocks.IsHeldByAnother(new IOException("lock", unchecked((int)0x80070021)), OsFamily.Windows));
        Assert.False(FileLocks.IsHeldByAnother(new IOException("disk full", unchecked((int)0x80070070)), OsFamily.Windows));
        Assert.False(FileLocks.IsHeldByAnother(new IOException("read-only", 30), OsFamily.Linux));
    }

    [Fact]
    public void OnWindowsARenameOverAFileHeldOpenIsRetriedUntilItIsReleased()
    {
        var waits = new List<TimeSpan>();
        int calls = 0;
        void Rename(string from, string to)
        {
            if (++calls <= 2) throw new IOException("The process cannot access the file", unchecked((int)0x80070020));
            File.Move(from, to, overwrite: true);
        }
        string temp = _dir.File("out.tmp"), final = _dir.File("out.npy");
        File.WriteAllText(temp, "new");
        File.WriteAllText(final, "old");

        FileReplace.Move(temp, final, OsFamily.Windows, Rename, waits.Add);

        Assert.Equal("new", File.ReadAllText(final));
        Assert.Equal([TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)], waits);
    }

    [Fact]
    public void ARenameHeldOpenPastTheRetriesIsOneLineNamingTheFile()
    {
        var waits = new List<TimeSpan>();
        var e = Assert.Throws<LlmLocException>(() => FileReplace.Move("a.tmp", @"C:\out\mask.npy", OsFamily.Windows,
            (_, _) => throw new UnauthorizedAccessException("Access to the path is denied.") { HResult = unchecked((int)0x80070005) }, waits.Add));
        Assert.Equal(ExitCodes.InputError, e.ExitCode);
        Assert.Equal(@"cannot replace C:\out\mask.npy: another program keeps it open (Access to the path is denied.); close it there (or write to another file) and run again", e.Message);
        Assert.Equal(FileReplace.WindowsRetryDelays, waits);
        Assert.Equal(1550, waits.Sum(w => w.TotalMilliseconds));
    }

    [Fact]
    public void OnLinuxAndMacOSAFailedRenameIsNotRetried()
    {
        foreach (var os in new[] { OsFamily.Linux, OsFamily.MacOS })
        {
            var waits = new List<TimeSpan>();
            var e = Assert.Throws<IOException>(() => FileReplace.Move("a", "b", os,
                (_, _) => throw new IOException("busy", unchecked((int)0x80070020)), waits.Add));
            Assert.Equal("busy", e.Message);
            Assert.Empty(waits);
        }
    }

    [Fact]
    public void OnLinuxARenameOverAFileAReaderHoldsOpenReplacesItAndTheReaderKeepsTheOldContent()
    {
        string temp = _dir.File("mask.npy.tmp"), final = _dir.File("mask.npy");
        File.WriteAllText(final, "old");
        File.WriteAllText(temp, "new");
        using var reader = new StreamReader(new FileStream(final, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));

        FileReplace.Move(temp, final);

        Assert.Equal("old", reader.ReadToEnd());
        Assert.Equal("new", File.ReadAllText(final));
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public void ThePortableNoFollowOpenGivesTheSameOutcomesAsLinuxOpen()
    {
        File.WriteAllText(_dir.File("plan.jsonl"), "cells");
        File.CreateSymbolicLink(_dir.File("planted"), _dir.File("plan.jsonl"));
        foreach (var (name, follow) in new[] { ("plan.jsonl", false), ("planted", false), ("planted", true), ("missing", false), ("missing", true) })
        {
            var (linuxOutcome, linuxStream) = SafeOpen.Linux(_dir.File(name), follow);
            var (portableOutcome, portableStream) = SafeOpen.Portable(_dir.File(name), follow);
            using (linuxStream) using (portableStream)
            {
                Assert.Equal(linuxOutcome, portableOutcome);
                Assert.Equal(linuxStream is null ? null : new StreamReader(linuxStream).ReadToEnd(),
                    portableStream is null ? null : new StreamReader(portableStream).ReadToEnd());
            }
        }
        Assert.Equal(OpenOutcome.IsLink, SafeOpen.OpenForRead(_dir.File("planted"), followLinks: false).Outcome);
    }

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    static extern nint LibcRealpath(string path, nint resolved);

    [DllImport("libc", EntryPoint = "free")]
    static extern void LibcFree(nint pointer);

    static string Libc(string path)
    {
        nint result = LibcRealpath(path, 0);
        Assert.NotEqual(0, result);
        try { return Marshal.PtrToStringUTF8(result)!; }
        finally { LibcFree(result); }
    }

    [Fact]
    public void ThePortableRealPathEqualsLibcRealpathOnLinux()
    {
        string root = _dir.Path;
        Directory.CreateDirectory(Path.Combine(root, "real", "hub", "blobs"));
        File.WriteAllText(Path.Combine(root, "real", "hub", "blobs", "abc"), "x");
        Directory.CreateSymbolicLink(Path.Combine(root, "cache"), Path.Combine(root, "real"));          // absolute link to a folder
        Directory.CreateSymbolicLink(Path.Combine(root, "rel"), "real/hub");                             // relative link
        Directory.CreateSymbolicLink(Path.Combine(root, "chain"), "rel");                                // link to a link
        File.CreateSymbolicLink(Path.Combine(root, "real", "hub", "pointer"), "blobs/abc");             // file link
        Directory.CreateSymbolicLink(Path.Combine(root, "up"), "real/hub/../hub/blobs");                 // '..' inside a target

        string[] paths =
        [
            "cache/hub/blobs/abc", "rel/blobs", "chain/blobs/abc", "real/hub/pointer", "cache/hub/pointer", "up/abc",
            "cache/./hub//blobs",
        ];
        foreach (var relative in paths)
        {
            string path = Path.Combine(root, relative);
            Assert.Equal(Libc(path), RealPaths.Resolve(path));
        }
        // Where they differ, by design: '..' is applied to the path as written, before links are followed (as .NET's
        // GetFullPath does; llmloc builds cache paths without '..'), and missing trailing parts are kept as given (realpath fails there):
        // the cache checks folders before creating them.
        Assert.Equal(Path.Combine(Libc(Path.Combine(root, "chain")), "new", "file"), RealPaths.Resolve(Path.Combine(root, "chain", "new", "file")));
    }

    [Theory]
    [InlineData("/cache/hub/models--gpt2", "/cache/hub", OsFamily.Linux, true)]
    [InlineData("/cache/hubX", "/cache/hub", OsFamily.Linux, false)]
    [InlineData("/Cache/Hub/x", "/cache/hub", OsFamily.Linux, false)]
    [InlineData("/Cache/Hub/x", "/cache/hub", OsFamily.MacOS, true)]
    [InlineData(@"c:\users\me\.cache\huggingface\hub\models--gpt2", @"C:\Users\me\.cache\huggingface\hub", OsFamily.Windows, true)]
    [InlineData(@"C:\Users\me\.cache\huggingface\hub2", @"C:\Users\me\.cache\huggingface\hub", OsFamily.Windows, false)]
    public void InsideTheCacheComparesPathsAsTheSystemDoes(string path, string folder, OsFamily os, bool inside) =>
        Assert.Equal(inside, RealPaths.IsInside(path, folder, os));

    static Func<string, string?> Env(params (string Key, string Value)[] vars) => k => vars.FirstOrDefault(v => v.Key == k).Value;

    [Fact]
    public void TheHomeFolderIsPythonsExpanduserOnEachSystem()
    {
        Assert.Equal(@"C:\Users\ada", UserFolders.Home(Env(("USERPROFILE", @"C:\Users\ada"), ("HOME", "/home/ignored")), OsFamily.Windows));
        Assert.Equal(@"D:\home\ada", UserFolders.Home(Env(("HOMEDRIVE", "D:"), ("HOMEPATH", @"\home\ada"), ("HOME", "/x")), OsFamily.Windows));
        Assert.Equal("/Users/ada", UserFolders.Home(Env(("HOME", "/Users/ada"), ("USERPROFILE", @"C:\x")), OsFamily.MacOS));
        Assert.Equal(@"C:\Users\ada\models", UserFolders.ExpandUser(@"~\models", Env(("USERPROFILE", @"C:\Users\ada")), OsFamily.Windows));
        Assert.Equal(@"C:\Users\ada\models", UserFolders.ExpandUser("~/models", Env(("USERPROFILE", @"C:\Users\ada")), OsFamily.Windows));
        Assert.Equal(@"~\models", UserFolders.ExpandUser(@"~\models", Env(("HOME", "/home/ada")), OsFamily.Linux));
        Assert.Equal("/home/ada/models", UserFolders.ExpandUser("~/models", Env(("HOME", "/home/ada")), OsFamily.Linux));
        Assert.Equal("~bob/models", UserFolders.ExpandUser("~bob/models", Env(("HOME", "/home/ada")), OsFamily.Linux));
    }

    [Fact]
    public void TheHubCacheIsWhereHuggingfaceHubPutsItOnEachSystem()
    {
        string Cache(OsFamily os, params (string, string)[] vars) => HubSettings.From(null, Env(vars), os).CacheRoot;

        Assert.Equal(@"C:\Users\ada\.cache\huggingface\hub", Cache(OsFamily.Windows, ("USERPROFILE", @"C:\Users\ada"), ("HOME", "/home/ada")));
        Assert.Equal(@"E:\hf\hub", Cache(OsFamily.Windows, ("USERPROFILE", @"C:\Users\ada"), ("HF_HOME", @"E:\hf")));
        Assert.Equal(@"E:\xdg\huggingface\hub", Cache(OsFamily.Windows, ("USERPROFILE", @"C:\Users\ada"), ("XDG_CACHE_HOME", @"E:\xdg")));
        Assert.Equal(@"C:\Users\ada\hf\hub", Cache(OsFamily.Windows, ("USERPROFILE", @"C:\Users\ada"), ("HF_HOME", @"~\hf")));
        Assert.Equal("/Users/ada/.cache/huggingface/hub", Cache(OsFamily.MacOS, ("HOME", "/Users/ada")));
        Assert.Equal("/home/ada/.cache/huggingface/hub", Cache(OsFamily.Linux, ("HOME", "/home/ada")));
    }

    [Fact]
    public void OnlyMacOSPreloadsTheOpenMpRuntimeShippedBesideLlmloc()
    {
        File.WriteAllBytes(_dir.File("libomp.dylib"), [0xcf, 0xfa, 0xed, 0xfe]);
        Assert.Equal([_dir.File("libomp.dylib")], TorchNatives.PreloadList(OsFamily.MacOS, _dir.Path));
        Assert.Empty(TorchNatives.PreloadList(OsFamily.Linux, _dir.Path));
        Assert.Empty(TorchNatives.PreloadList(OsFamily.Windows, _dir.Path));
        Assert.Empty(TorchNatives.PreloadList(OsFamily.MacOS, Path.Combine(_dir.Path, "elsewhere")));
    }

    [Fact]
    public void ThePortableExitLeavesItToMainToReturnTheCode()
    {
        // Linux's _exit is tested by the real process (ProcessExitTests); elsewhere the process must keep running.
        Assert.False(ProcessExit.TryExitWithoutShutdown(3, OsFamily.Windows));
        Assert.False(ProcessExit.TryExitWithoutShutdown(3, OsFamily.MacOS));
    }

    [Fact]
    public void ThePortablePeakMemoryEqualsProcsOnLinux()
    {
        long proc = MachineInfo.PeakRssFromProc() ?? throw new InvalidOperationException("no /proc/self/status");
        long portable = MachineInfo.PortablePeakRssBytes();
        // The same kernel counter (VmHWM), read a moment apart: the peak only grows, by at most what ran in between.
        Assert.InRange(portable - proc, 0, 16L << 20);
        Assert.Matches(@"^\d+\.\d+ \d+\.\d+ \d+\.\d+$", MachineInfo.LoadAverage());
    }
}
