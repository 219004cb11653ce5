using System.CommandLine;
using System.Globalization;
using LlmLoc.Cli.Commands;

namespace LlmLoc.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        // Lines end in "\n" on every system; libtorch's own dependencies load before TorchSharp's first call.
        Platform.TextOutput.UnixLines(Console.Out);
        Platform.TextOutput.UnixLines(Console.Error);
        Platform.TorchNatives.Preload();
        int code = Run(args, Console.Out, Console.Error);
        // Every output is written and renamed into place by now. On Linux the process leaves without the runtime's
        // shutdown and libtorch's static destructors (Platform.ProcessExit); elsewhere Main returns the code.
        Console.Out.Flush();
        Console.Error.Flush();
        Platform.ProcessExit.TryExitWithoutShutdown(code, Platform.HostOs.Current);
        return code;
    }

    /// <summary>Runs the CLI in-process (tests call this) and returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        UseInvariantCulture();
        if (WorkingFolderProblem() is { } gone)
        {
            stderr.WriteLine($"llmloc: error: {gone}");
            return ExitCodes.InputError;
        }
        if (args.Length == 0) args = ["--help"]; // a bare `llmloc` shows what it can do
        var root = BuildRoot();
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                // One line: the first problem, its multi-line listing folded, and where the usage is.
                var error = parse.Errors.FirstOrDefault(e => !e.Message.StartsWith("Required command", StringComparison.Ordinal)) ?? parse.Errors[0];
                string message = ErrorText.OneLine(ParseErrorText.Describe(parse, error));
                string help = parse.CommandResult.Command is RootCommand ? "llmloc --help" : $"llmloc {parse.CommandResult.Command.Name} --help";
                stderr.WriteLine($"llmloc: error: {message} (see '{help}')");
                return ExitCodes.Usage;
            }
            if (NumberTokens.Problem(parse) is { } number)
            {
                stderr.WriteLine($"llmloc: error: {number} (see 'llmloc {parse.CommandResult.Command.Name} --help')");
                return ExitCodes.Usage;
            }
            return parse.Invoke(config);
        }
        catch (Exception e)
        {
            var report = ErrorReport.For(e);
            stderr.WriteLine($"llmloc: error: {report.Message}");
            return report.ExitCode;
        }
    }

    /// <summary>Every number llmloc parses (flags, TOML, CSV, JSON) or prints reads the same under any locale: under a
    /// comma-decimal culture "--percentage 1.5" would otherwise parse as 15. Set for this thread and every thread started
    /// later (thread pool, Parallel.ForEach); InvariantGlobalization would also change casing rules for non-English text.</summary>
    static void UseInvariantCulture()
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
    }

    /// <summary>A working folder deleted while the shell was in it: relative paths and defaults (./cache, ./stimuli) have
    /// nowhere to go, and the tensor library's loader aborts with a fatal error of its own, so it is one line before any
    /// native code starts.</summary>
    static string? WorkingFolderProblem()
    {
        const string Fix = "cd to an existing folder and run again";
        try
        {
            string cwd = Directory.GetCurrentDirectory();
            return Directory.Exists(cwd) ? null : $"the working folder {cwd} no longer exists; {Fix}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"the working folder no longer exists (deleted while the shell was in it, or unreadable); {Fix}";
        }
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "llmloc: localize language-, theory-of-mind- and arithmetic-selective units in LLMs and lesion them " +
            "(a C# port of llm-localization).");
        foreach (var command in CommandRegistry.All())
            root.Subcommands.Add(command);
        return root;
    }
}
