namespace LlmLoc;

/// <summary>
/// Error messages the CLI prints as one line: multi-line text (of the runtime, HTTP stacks, parsers) is folded or
/// cut here, in one place, by every layer that quotes another's message.
/// </summary>
public static class ErrorText
{
    /// <summary>All lines joined by single spaces (tabs too, each line trimmed).</summary>
    public static string OneLine(string text) =>
        string.Join(' ', text.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>The first non-empty line (for messages whose later lines are detail or a stack).</summary>
    public static string FirstLine(string text) =>
        text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? text;
}
