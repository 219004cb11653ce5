/// <summary>Conditions to report with every number: the machine is shared, so load average matters.</summary>
static class Machine
{
    public static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "unknown";

    /// <summary>Peak resident set (VmHWM) of this process in bytes.</summary>
    public static long PeakRssBytes() => StatusKb("VmHWM") * 1024;

    static long StatusKb(string field) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":")).Split(':')[1].Trim().Split(' ')[0]);
}
