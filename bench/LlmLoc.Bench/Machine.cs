/// <summary>Conditions to report with every number: the machine is shared, so load average matters
/// (LlmLoc.Platform.MachineInfo reads them on every system).</summary>
static class Machine
{
    public static string LoadAverage() => LlmLoc.Platform.MachineInfo.LoadAverage();

    public static string CpuModel() => LlmLoc.Platform.MachineInfo.CpuModel();

    /// <summary>Peak resident set (VmHWM) of this process in bytes.</summary>
    public static long PeakRssBytes() => LlmLoc.Platform.MachineInfo.PeakRssBytes();
}
