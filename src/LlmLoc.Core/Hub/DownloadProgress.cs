using Spectre.Console;

namespace LlmLoc.Hub;

/// <summary>Shows the progress of one file download; <c>report</c> is called with each chunk's byte count.</summary>
internal interface IDownloadProgress
{
    Task RunAsync(string label, long? total, long alreadyHave, Func<Action<long>, Task> download);
    /// <summary>A one-line remark (e.g. "hub unreachable, using the cache").</summary>
    void Note(string message);
}

internal static class DownloadProgress
{
    /// <summary>Spectre.Console bars when writing to an interactive stderr, plain lines otherwise.</summary>
    public static IDownloadProgress For(TextWriter? writer) =>
        writer is null && !Console.IsErrorRedirected ? new SpectreProgress() : new PlainProgress(writer ?? Console.Error);

    internal static string Bytes(long? n) => n switch
    {
        null => "unknown size",
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:0.0} kB",
        < 1024L * 1024 * 1024 => $"{n / (1024.0 * 1024):0.0} MB",
        _ => $"{n / (1024.0 * 1024 * 1024):0.00} GB",
    };
}

/// <summary>Two lines per file, for logs and redirected stderr.</summary>
internal sealed class PlainProgress(TextWriter writer) : IDownloadProgress
{
    public void Note(string message) => writer.WriteLine($"llmloc: {message}");

    public async Task RunAsync(string label, long? total, long alreadyHave, Func<Action<long>, Task> download)
    {
        string resume = alreadyHave > 0 ? $", resuming at {DownloadProgress.Bytes(alreadyHave)}" : "";
        writer.WriteLine($"llmloc: downloading {label} ({DownloadProgress.Bytes(total)}{resume})");
        long received = alreadyHave;
        await download(n => received += n);
        writer.WriteLine($"llmloc: downloaded {label} ({DownloadProgress.Bytes(received)})");
    }
}

/// <summary>A live Spectre.Console bar per file on stderr.</summary>
internal sealed class SpectreProgress : IDownloadProgress
{
    static readonly IAnsiConsole Stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    public void Note(string message) => Stderr.MarkupLine($"[yellow]llmloc:[/] {Markup.Escape(message)}");

    public Task RunAsync(string label, long? total, long alreadyHave, Func<Action<long>, Task> download) =>
        Stderr.Progress()
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
