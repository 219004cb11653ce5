using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LlmLoc.Platform;

/// <summary>
/// Hints that change how fast llmloc reads weights and how much memory it keeps, never what it computes. On Linux they
/// are libc calls (posix_fadvise, madvise, glibc's mallopt); elsewhere, and wherever a call is missing or fails, the
/// portable implementation does nothing, which is what the operating system does without a hint. Tests run the same
/// work under both and compare the results.
/// </summary>
public interface IOsHints
{
    /// <summary>A file range will be read soon (read-ahead starts in the background) or is done with (its clean pages
    /// may leave the page cache).</summary>
    void AdviseFileRange(SafeFileHandle file, long offset, long length, bool willNeed);

    /// <summary>Maps the pages of memory-mapped ranges into the process now rather than one page fault at a time.
    /// Stops at the first range that fails (the map may be gone): it is a hint.</summary>
    void PopulatePages(IEnumerable<(nint Start, long Length)> ranges);

    /// <summary>Makes large freed buffers go back to the system rather than stay in the allocator's heap.</summary>
    void ReturnFreedBlocksToTheSystem();
}

public static class OsHints
{
    static readonly AsyncLocal<IOsHints?> Override = new(); // per test flow, as tests run in parallel

    /// <summary>The hints of the running system: libc's on Linux, none elsewhere.</summary>
    public static IOsHints Current => Override.Value ?? Native;

    static readonly IOsHints Native = OperatingSystem.IsLinux() ? new LinuxOsHints() : PortableOsHints.Instance;

    /// <summary>Runs with <paramref name="hints"/> instead (tests); disposing restores the system's.</summary>
    internal static IDisposable Use(IOsHints hints)
    {
        Override.Value = hints;
        return new Restore();
    }

    sealed class Restore : IDisposable { public void Dispose() => Override.Value = null; }
}

/// <summary>No hints: what every system does when it is given none.</summary>
public sealed class PortableOsHints : IOsHints
{
    public static readonly PortableOsHints Instance = new();
    public void AdviseFileRange(SafeFileHandle file, long offset, long length, bool willNeed) { }
    public void PopulatePages(IEnumerable<(nint Start, long Length)> ranges) { }
    public void ReturnFreedBlocksToTheSystem() { }
}

/// <summary>Linux's libc calls. A call that is missing (musl has no mallopt) or fails changes nothing.</summary>
internal sealed class LinuxOsHints : IOsHints
{
    const int FadviseWillNeed = 3, FadviseDontNeed = 4;
    const int MadvPopulateRead = 22; // Linux 5.14+; older kernels answer EINVAL
    const int MallocMmapThreshold = -3;

    public void AdviseFileRange(SafeFileHandle file, long offset, long length, bool willNeed)
    {
        // Advice is a hint: a failure changes speed, never results, so its return code is not an error.
        try { _ = PosixFadvise(file.DangerousGetHandle().ToInt32(), offset, length, willNeed ? FadviseWillNeed : FadviseDontNeed); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    public void PopulatePages(IEnumerable<(nint Start, long Length)> ranges)
    {
        long page = Environment.SystemPageSize;
        try
        {
            foreach (var (start, length) in ranges)
            {
                nint first = (nint)(start / page * page);
                if (Madvise(first, (nuint)(start + length - first), MadvPopulateRead) != 0) return;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    public void ReturnFreedBlocksToTheSystem()
    {
        // glibc raises its mmap threshold each time a large buffer is freed, so block-sized buffers end up on the heap
        // and stay there when freed; a fixed threshold (which also turns the adjustment off) gives each buffer of
        // 1 MB or more its own mapping, returned when freed (measurements: StreamedWeights, bench/README.md).
        try { _ = Mallopt(MallocMmapThreshold, 1 << 20); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [DllImport("libc", EntryPoint = "madvise")]
    static extern int Madvise(nint address, nuint length, int advice);

    [DllImport("libc", EntryPoint = "posix_fadvise")]
    static extern int PosixFadvise(int fd, long offset, long length, int advice);

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int parameter, int value);
}
