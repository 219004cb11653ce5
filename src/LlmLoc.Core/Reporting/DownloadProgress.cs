using Spectre.Console;

namespace LlmLoc.Reporting;

/// <summary>
/// Shows the progress of file downloads (bytes; <see cref="StepProgress"/> counts items, with the same rule and
/// console): a live bar (bytes, rate, ETA) when writing to the process's stderr on a terminal; one line per file
/// when it is done (size, time, rate) otherwise (logs, CI, redirected stderr, tests' writers).
/// </summary>
internal sealed class DownloadProgress(TextWriter? writer)
{
    readonly TextWriter _writer = writer ?? Console.Error;
    bool Live => StepProgress.IsLive(_writer);

    /// <summary>A one-line remark (e.g. "hub unreachable, using the cache").</summary>
    public void Note(string message)
    {
        if (Live) StepProgress.Stderr.MarkupLine($"[yellow]llmloc:[/] {Markup.Escape(message)}");
        else _writer.WriteLine($"llmloc: {message}");
    }

    /// <summary>Runs one file's download, which calls <c>report</c> with each chunk's byte count.</summary>
    public async Task RunAsync(string label, long? total, long alreadyHave, Func<Action<long>, Task> download)
    {
        if (Live)
        {
            await StepProgress.Stderr.Progress().AutoClear(false)
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
            return;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long received = 0;
        await download(n => received += n);
        double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
        string resume = alreadyHave > 0 ? $", resumed at {Bytes(alreadyHave)}" : "";
        _writer.WriteLine($"llmloc: downloaded {label} ({Bytes(alreadyHave + received)} in {seconds:0.0} s, {Bytes((long)(received / seconds))}/s{resume})");
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
