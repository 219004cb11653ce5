using System.Diagnostics;

namespace LlmLoc.Tests.Hardening;

/// <summary>
/// Real full and read-only places for the write-failure tests: tests run as root (here and in CI), where permission
/// bits do not stop a write, so a size-limited or read-only tmpfs is mounted instead. Where mounting is impossible
/// (not root, no mount namespace) the tests using it are skipped with that reason (<see cref="MountFactAttribute"/>).
/// </summary>
public sealed class Tmpfs : IDisposable
{
    public string Path { get; }

    Tmpfs(string path) => Path = path;

    /// <summary>Why a tmpfs cannot be mounted here; null when it can.</summary>
    public static readonly Lazy<string?> Unavailable = new(() =>
    {
        string probe = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "llmloc-mount-probe-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(probe);
        try
        {
            var (code, error) = Run("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", probe);
            if (code != 0) return $"cannot mount a tmpfs here (mount: {error.Trim()}); run the tests as root";
            Run("umount", probe);
            return null;
        }
        catch (System.ComponentModel.Win32Exception e) { return $"no mount command ({e.Message})"; }
        finally { try { Directory.Delete(probe); } catch (IOException) { } }
    });

    /// <summary>A tmpfs of <paramref name="kilobytes"/> KiB at a new folder under <paramref name="parent"/>.</summary>
    public static Tmpfs Mount(string parent, int kilobytes)
    {
        string path = System.IO.Path.Combine(parent, "tmpfs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", path);
        Assert.True(code == 0, $"mount failed: {error}");
        return new Tmpfs(path);
    }

    /// <summary>Fills the file system to the last byte with one file (named so tests can tell it from output).</summary>
    public void Fill()
    {
        using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
        var block = new byte[4096];
        try { while (true) filler.Write(block); }
        catch (IOException) { }
        for (int size = 2048; size > 0; size /= 2)
            try { filler.Write(block, 0, size); filler.Flush(); } catch (IOException) { }
    }

    public void RemountReadOnly()
    {
        var (code, error) = Run("mount", "-o", "remount,ro", Path);
        Assert.True(code == 0, $"remount read-only failed: {error}");
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try { Directory.Delete(Path); } catch (IOException) { }
    }

    static (int Code, string Error) Run(params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(args[0], args[1..]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        string error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}

/// <summary>A fact that needs a tmpfs mount: skipped, with the reason, where mounting is impossible.</summary>
public sealed class MountFactAttribute : FactAttribute
{
    public MountFactAttribute()
    {
        if (Tmpfs.Unavailable.Value is { } reason) Skip = reason;
    }
}
