using System.Text;

namespace LlmLoc.Stimuli;

/// <summary>The few Python text behaviours the original's dataset code relies on.</summary>
internal static class PythonText
{
    static readonly UTF8Encoding Utf8KeepingBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Python's str.isspace: Unicode whitespace plus the separators U+001C..U+001F.</summary>
    public static bool IsWhitespace(char c) => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f');

    /// <summary>Python's str.strip() with no argument.</summary>
    public static string Strip(string text)
    {
        int start = 0, end = text.Length;
        while (start < end && IsWhitespace(text[start])) start++;
        while (end > start && IsWhitespace(text[end - 1])) end--;
        return text[start..end];
    }

    /// <summary>
    /// <c>open(path).read()</c> in text mode: UTF-8 (a BOM stays a character, as with Python's "utf-8" codec) and
    /// universal newlines (\r\n and \r become \n).
    /// </summary>
    public static string ReadText(string path)
    {
        string text;
        try
        {
            text = Utf8KeepingBom.GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException e)
        {
            throw new LlmLocException($"'{path}' is not valid UTF-8 text; save it as UTF-8", ExitCodes.InputError, e);
        }
        return text.Replace("\r\n", "\n").Replace('\r', '\n');
    }

    /// <summary><c>f.readlines()</c> of text already read with universal newlines (each line without its \n).</summary>
    public static IEnumerable<string> ReadLines(string text)
    {
        if (text.Length == 0)
            yield break;
        string[] parts = text.Split('\n');
        int count = text.EndsWith('\n') ? parts.Length - 1 : parts.Length;
        for (int i = 0; i < count; i++)
            yield return parts[i];
    }
}
