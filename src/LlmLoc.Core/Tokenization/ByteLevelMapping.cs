using System.Text;

namespace LlmLoc.Tokenization;

/// <summary>
/// GPT-2's reversible byte ↔ printable-character table (bytes_to_unicode): printable Latin-1 bytes map to
/// themselves, the other 68 bytes to U+0100 upwards. Byte-level vocabularies are written in these characters.
/// </summary>
internal static class ByteLevelMapping
{
    public static readonly char[] ByteToChar = BuildTable();
    static readonly Dictionary<char, byte> CharToByte =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    static char[] BuildTable()
    {
        var table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    public static string Encode(string text) => Encode(Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Appends the bytes a token stands for. A token with a character outside the table (e.g. an added token
    /// written in plain text) contributes its own UTF-8 bytes, as HF's ByteLevel decoder does.
    /// </summary>
    public static void AppendBytes(string token, List<byte> output)
    {
        foreach (var c in token)
            if (!CharToByte.ContainsKey(c)) { output.AddRange(Encoding.UTF8.GetBytes(token)); return; }
        foreach (var c in token) output.Add(CharToByte[c]);
    }
}
