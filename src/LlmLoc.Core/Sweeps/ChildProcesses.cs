using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LlmLoc.Sweeps;

/// <summary>
/// The cells <c>sweep run --local</c> runs as child processes, and the rule that they never outlive it: a SIGTERM or
/// SIGHUP to the parent kills them before it exits, a failure of the run kills them (<see cref="KillAll"/>), and a child
/// asks the kernel to kill it when its parent dies in any way, SIGKILL included (<see cref="StopWithParent"/>).
/// Each child's output goes to its log; a log that cannot be written (a full disk) stops the child and the run.
/// </summary>
public sealed class ChildProcesses : IDisposable
{
    /// <summary>Set in a child's environment: the parent's process id.</summary>
    const string ParentVariable = "LLMLOC_SWEEP_PARENT_PID";

    readonly HashSet<Process> _running = [];
    readonly IDisposable _signals;
    bool _stopped;

    public ChildProcesses() => _signals = Platform.ProcessSignals.OnStopRequest(KillAll);

    /// <summary>Runs one child to its end, its stdout and stderr appended to a new <paramref name="log"/>, and returns its
    /// exit code. A log write that fails kills the child, removes the log and throws.</summary>
    public int Run(IReadOnlyList<string> self, string[] args, int threads, string log)
    {
        var start = new ProcessStartInfo(self[0], [.. self.Skip(1), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is null)
            start.Environment["OMP_NUM_THREADS"] = threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment[ParentVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = new Process { StartInfo = start };
        Exception? logFailure = null;
        var writer = new StreamWriter(IO.UntrustedFile.CreateFresh(log)) { AutoFlush = true, NewLine = Platform.TextOutput.NewLine };
        void Append(object _, DataReceivedEventArgs e)
        {
            if (e.Data is not { } line) return;
            lock (writer)
            {
                if (logFailure is not null) return;
                try { writer.WriteLine(line); }
                catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
                {
                    logFailure = failure;
                    Kill(process);
                }
            }
        }
        try
        {
            process.OutputDataReceived += Append;
            process.ErrorDataReceived += Append;
            lock (_running)
            {
                if (_stopped) throw new OperationCanceledException("the sweep was stopped");
                process.Start();
                _running.Add(process);
            }
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.WaitForExit();
        }
        finally
        {
            lock (_running) _running.Remove(process);
            lock (writer)
                try { writer.Dispose(); }
                catch (Exception failure) when (failure is IOException or UnauthorizedAccessException) { logFailure ??= failure; }
        }
        if (logFailure is not null)
        {
            try { File.Delete(log); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw new LlmLocException($"cannot write the cell log {log}: {ErrorReport.For(logFailure).Message}", ExitCodes.InputError, logFailure);
        }
        return process.ExitCode;
    }

    /// <summary>Kills every running child (and its own children); no new one starts after this.</summary>
    public void KillAll()
    {
        lock (_running)
        {
            _stopped = true;
            foreach (var process in _running) Kill(process);
        }
    }

    static void Kill(Process process)
    {
        try { process.Kill(entireProcessTree: true); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException) { }
    }

    public void Dispose()
    {
        _signals.Dispose();
    }

    /// <summary>In a child started by <see cref="Run"/> (on Linux): the kernel kills this process when the parent dies,
    /// however it dies; a parent already gone ends the cell before it starts.</summary>
    public static void StopWithParent()
    {
        if (Environment.GetEnvironmentVariable(ParentVariable) is not { } text
            || !int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int parent))
            return;
        if (!Platform.ProcessSignals.DieWithParent(parent))
            throw new LlmLocException("the 'sweep run --local' that started this cell has stopped; run the sweep again", ExitCodes.RuntimeError);
    }
}
