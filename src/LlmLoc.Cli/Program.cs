using System.CommandLine;
using LlmLoc.Cli.Commands;

namespace LlmLoc.Cli;

public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the CLI in-process (tests call this) and returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = BuildRoot();
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var error in parse.Errors) stderr.WriteLine($"llmloc: error: {error.Message}");
                stderr.WriteLine("Run 'llmloc --help' for usage.");
                return ExitCodes.Usage;
            }
            return parse.Invoke(config);
        }
        catch (LlmLocException e)
        {
            stderr.WriteLine($"llmloc: error: {e.Message}");
            return e.ExitCode;
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
