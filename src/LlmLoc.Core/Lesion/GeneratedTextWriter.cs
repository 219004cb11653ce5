namespace LlmLoc.Lesion;

/// <summary>
/// What generate-lesion prints on stdout: each sequence as decoded (it may span lines); between sequences a line
/// holding only <see cref="Separator"/>, so several multi-line generations stay apart. One sequence: just its text.
/// </summary>
public static class GeneratedTextWriter
{
    public const string Separator = "---";

    public static void Write(TextWriter stdout, IReadOnlyList<string> texts)
    {
        for (int i = 0; i < texts.Count; i++)
        {
            if (i > 0) stdout.WriteLine(Separator);
            stdout.WriteLine(texts[i]);
        }
    }
}
