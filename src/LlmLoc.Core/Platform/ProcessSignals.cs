using System.Runtime.InteropServices;

namespace LlmLoc.Platform;

/// <summary>Signals between a sweep's parent process and its children.</summary>
public static class ProcessSignals
{
    /// <summary>Runs <paramref name="handler"/> when this process is asked to stop (SIGTERM, SIGHUP, SIGINT on Linux and
    /// macOS); on Windows, where a sweep's children share the console and receive Ctrl+C themselves, nothing is
    /// registered. Dispose to unregister.</summary>
    public static IDisposable OnStopRequest(Action handler)
    {
        if (OperatingSystem.IsWindows()) return new Registrations([]);
        return new Registrations([.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGINT }
            .Select(signal => PosixSignalRegistration.Create(signal, _ => handler()))]);
    }

    sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose() { foreach (var r in registrations) r.Dispose(); }
    }

    /// <summary>
    /// In a child: has the kernel kill this process when its parent dies, however it dies (Linux's
    /// prctl(PR_SET_PDEATHSIG, SIGKILL)), and returns whether <paramref name="parent"/> is still the parent (false:
    /// it died before the request took effect). Elsewhere there is no such request: returns true and the parent's own
    /// stop handler (<see cref="OnStopRequest"/>) is what stops the children.
    /// </summary>
    public static bool DieWithParent(int parent)
    {
        if (!OperatingSystem.IsLinux()) return true;
        const int SetParentDeathSignal = 1, Kill = 9;
        SetProcessOption(SetParentDeathSignal, Kill);
        return ParentProcessId() == parent;
    }

    [DllImport("libc", EntryPoint = "prctl")]
    static extern int SetProcessOption(int option, ulong argument);

    [DllImport("libc", EntryPoint = "getppid")]
    static extern int ParentProcessId();
}
