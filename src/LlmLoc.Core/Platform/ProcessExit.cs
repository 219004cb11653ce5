using System.Runtime.InteropServices;

namespace LlmLoc.Platform;

/// <summary>How the CLI process ends once every output is written and renamed into place.</summary>
public static class ProcessExit
{
    /// <summary>
    /// On Linux, ends the process at once with <paramref name="code"/> (libc's <c>_exit</c>): no runtime shutdown and no
    /// static destructors of libtorch, which took ~0.15 s after a GPT-2 localize (bench/README.md). Elsewhere, or if
    /// the call is missing, returns false and the caller returns the code from Main, the portable way out (same exit
    /// code, same outputs, only slower). Flush what must reach the streams first.
    /// </summary>
    public static bool TryExitWithoutShutdown(int code, OsFamily os)
    {
        if (os != OsFamily.Linux) return false;
        try { Exit(code); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
        return false; // not reached: _exit does not return
    }

    [DllImport("libc", EntryPoint = "_exit")]
    static extern void Exit(int code);
}
