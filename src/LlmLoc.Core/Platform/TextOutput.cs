namespace LlmLoc.Platform;

/// <summary>
/// Text llmloc prints or writes ends its lines with "\n" on every system, so outputs are byte-identical across
/// platforms and diff cleanly (.NET's default on Windows is "\r\n"). Every writer and serializer llmloc creates
/// for text gets <see cref="NewLine"/>; the CLI sets it on the console at start.
/// </summary>
public static class TextOutput
{
    public const string NewLine = "\n";

    /// <summary>Sets <paramref name="writer"/>'s line end to "\n" and returns it.</summary>
    public static T UnixLines<T>(T writer) where T : TextWriter
    {
        writer.NewLine = NewLine;
        return writer;
    }
}
