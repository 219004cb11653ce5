using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LlmLoc.Platform;

/// <summary>What the bench reports beside every number: the machine and its load. Linux's /proc gives it all; elsewhere
/// the portable answers are the process's own peak working set and "n/a" for what the system does not tell.</summary>
public static class MachineInfo
{
    /// <summary>The 1-, 5- and 15-minute load averages (Linux), else "n/a".</summary>
    public static string LoadAverage() =>
        TryRead("/proc/loadavg") is { } text ? string.Join(" ", text.Split(' ').Take(3)) : "n/a";

    /// <summary>The processor's model name (Linux), else its architecture.</summary>
    public static string CpuModel() =>
        TryRead("/proc/cpuinfo")?.Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
        ?? RuntimeInformation.ProcessArchitecture.ToString();

    /// <summary>Peak resident set of this process in bytes: VmHWM from /proc/self/status on Linux, else the runtime's
    /// peak working set (which .NET itself reads from VmHWM on Linux).</summary>
    public static long PeakRssBytes() => PeakRssFromProc() ?? PortablePeakRssBytes();

    internal static long? PeakRssFromProc()
    {
        var line = TryRead("/proc/self/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(':')[1].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    internal static long PortablePeakRssBytes()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    static string? TryRead(string path)
    {
        try { return File.Exists(path) ? File.ReadAllText(path) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
