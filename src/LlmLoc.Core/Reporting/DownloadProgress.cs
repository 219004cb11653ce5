using Spectre.Console;

namespace LlmLoc.Reporting;

/// <summary>Shows the progress of one file download (bytes; <see cref="StepProgress"/> counts items, with the same
/// live-or-plain rule and console); <c>report</c> is called with each chunk's byte count.</summary>
internal interface IDownloadProgress
{
    Task RunAsync(string label, long? total, long alreadyHave, Func<Action<long>, Task> download);
    /// <summary>A one-line remark (e.g. "hub unreachable, using the cache").</summary>
    void Note(string message);
}

internal static class DownloadProgress
{
    /// <summary>A live bar (bytes, rate, ETA) when writing to the process's stderr on a terminal; one line per file
    /// otherwise (logs, CI, redirected stderr, tests' writers).</summary>
    public static IDownloadProgress For(TextWriter? writer)
    {
        var target = writer ?? Console.Error;
        return StepProgress.IsLive(target) ? new SpectreProgress() : new PlainProgress(target);
    }

    internal static string Bytes(long? n) => n switch
    {
        null => "unknown size",
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:0.0} kB",
        < 1024L * 1024 * 1024 => $"{n / (1024.0 * 1024):0.0} MB",
        _ => $"{n / (1024.0 * 1024 * 1024):0.00} GB",
    };
}

/// <summary>One line per file when it is done (size, time, rate), for logs and redirected stderr.</summary>
internal sealed class PlainProgress(TextWriter writer) : IDownloadProgress
{
    public void Note(string message) => writer.WriteLine($"llmloc: {message}");

    public async Task RunAsync(string label, long? total, long alreadyHave, Func<Action<long>, Task> download)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long received = 0;
        await download(n => received += n);
        double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
        string resume = alreadyHave > 0 ? $", resumed at {DownloadProgress.Bytes(alreadyHave)}" : "";
        writer.WriteLine($"llmloc: downloaded {label} ({DownloadProgress.Bytes(alreadyHave + received)} in {seconds:0.0} s, " +
                         $"{DownloadProgress.Bytes((long)(received / seconds))}/s{resume})");
    }
}

/// <summary>A live Spectre.Console bar per file on stderr.</summary>
internal sealed class SpectreProgress : IDownloadProgress
{
    public void Note(string message) => StepProgress.Stderr.MarkupLine($"[yellow]llmloc:[/] {Markup.Escape(message)}");

    public Task RunAsync(string label, long? total, long alreadyHave, Func<Action<long>, Task> download) =>
        StepProgress.Stderr.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: Math.Max(1, total ?? 1));
                task.IsIndeterminate = total is null;
                task.Increment(alreadyHave);
                await download(n => task.Increment(n));
                task.Value = task.MaxValue;
            });
}
