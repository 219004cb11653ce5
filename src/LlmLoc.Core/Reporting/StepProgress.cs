using Spectre.Console;

namespace LlmLoc.Reporting;

/// <summary>
/// A progress bar over a known number of items on stderr: a live Spectre.Console bar on an interactive terminal,
/// one line per finished phase otherwise (logs, CI, redirected stderr).
/// </summary>
public static class StepProgress
{
    /// <summary>The console of live bars: the process's stderr.</summary>
    internal static readonly IAnsiConsole Stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>A live bar only when writing to the process's own stderr on an interactive terminal; plain lines for
    /// logs, CI, redirected stderr and tests' writers.</summary>
    internal static bool IsLive(TextWriter log) =>
        ReferenceEquals(log, Console.Error) && !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/>, which reports finished items through the callback.</summary>
    public static T Run<T>(string label, int total, TextWriter log, Func<Action<int>, T> work)
    {
        if (!IsLive(log))
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            T result = work(_ => { });
            log.WriteLine($"llmloc: {label}: {total} done in {started.Elapsed.TotalSeconds:0.0} s");
            return result;
        }
        T value = default!;
        Stderr.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: Math.Max(1, total));
                value = work(n => task.Increment(n));
                task.Value = task.MaxValue;
            });
        return value;
    }
}
