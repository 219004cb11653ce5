using Spectre.Console;

namespace LlmLoc.Reporting;

/// <summary>A Spectre.Console that writes result tables as plain text (no colours or escape codes, 200 columns wide),
/// so stdout reads the same on a terminal, in a file and in a pipe.</summary>
public static class PlainConsole
{
    public static IAnsiConsole For(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        return console;
    }
}
