using System.CommandLine;

namespace LlmLoc.Cli.Commands;

/// <summary>Every verb of the CLI; each lives in its own file and exposes a static Create().</summary>
public static class CommandRegistry
{
    public static IEnumerable<Command> All()
    {
        yield return LocalizeCommand.Create();
        yield return StimuliCommand.Create();
        yield return PlotCommand.Create();
        yield return GenerateLesionCommand.Create();
        yield return EvaluateCommand.Create();
        yield return SweepCommand.Create();
        yield return ExtractCommand.Create();
        yield return AlignCommand.Create();
    }
}
