using System.Globalization;
using System.Text;

namespace LlmLoc.Tokenization;

/// <summary>
/// Turns token strings back into text: a chain of HF decoder steps, each mapping the list of token strings to a
/// new list (the last step's output is concatenated).
/// </summary>
internal abstract record TokenDecoder
{
    public abstract List<string> Apply(List<string> tokens);

    public string Decode(IEnumerable<string> tokens) => string.Concat(Apply(tokens.ToList()));

    /// <summary>Byte-level: token characters → bytes → UTF-8 (invalid bytes become U+FFFD).</summary>
    public sealed record ByteLevel : TokenDecoder
    {
        public override List<string> Apply(List<string> tokens)
        {
            var bytes = new List<byte>();
            foreach (var t in tokens) ByteLevelMapping.AppendBytes(t, bytes);
            return [Encoding.UTF8.GetString(bytes.ToArray())];
        }
    }

    public sealed record Replace(string Pattern, string Content) : TokenDecoder
    {
        public override List<string> Apply(List<string> tokens) =>
            tokens.Select(t => t.Replace(Pattern, Content, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Runs of &lt;0xXX&gt; tokens become the UTF-8 text of their bytes, or one U+FFFD per byte if invalid.</summary>
    public sealed record ByteFallback : TokenDecoder
    {
        static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

        public override List<string> Apply(List<string> tokens)
        {
            var output = new List<string>();
            var pending = new List<byte>();
            foreach (var t in tokens)
            {
                if (TryParseByte(t, out var b)) { pending.Add(b); continue; }
                Flush();
                output.Add(t);
            }
            Flush();
            return output;

            void Flush()
            {
                if (pending.Count == 0) return;
                try { output.Add(Strict.GetString(pending.ToArray())); }
                catch (DecoderFallbackException) { output.AddRange(Enumerable.Repeat("\uFFFD", pending.Count)); }
                pending.Clear();
            }
        }

        public static bool TryParseByte(string token, out byte value)
        {
            value = 0;
            return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
                && byte.TryParse(token.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
        }
    }

    public sealed record Fuse : TokenDecoder
    {
        public override List<string> Apply(List<string> tokens) => [string.Concat(tokens)];
    }

    /// <summary>Removes up to Start leading and Stop trailing occurrences of Content from every token.</summary>
    public sealed record Strip(char Content, int Start, int Stop) : TokenDecoder
    {
        public override List<string> Apply(List<string> tokens) => tokens.Select(t =>
        {
            int s = 0, e = t.Length;
            while (s < Start && s < e && t[s] == Content) s++;
            while (t.Length - e < Stop && e > s && t[e - 1] == Content) e--;
            return t[s..e];
        }).ToList();
    }

    /// <summary>Metaspace: ▁ → space; the first token loses its leading space unless prepend_scheme is "never".</summary>
    public sealed record Metaspace(char Replacement, bool StripFirst) : TokenDecoder
    {
        public override List<string> Apply(List<string> tokens) => tokens.Select((t, i) =>
        {
            var s = t.Replace(Replacement, ' ');
            return i == 0 && StripFirst && s.StartsWith(' ') ? s[1..] : s;
        }).ToList();
    }

    public sealed record Sequence(IReadOnlyList<TokenDecoder> Steps) : TokenDecoder
    {
        public override List<string> Apply(List<string> tokens)
        {
            foreach (var s in Steps) tokens = s.Apply(tokens);
            return tokens;
        }
    }

    /// <summary>transformers' clean_up_tokenization (4.44.2): removes spaces before punctuation and contractions.</summary>
    public static string CleanUpTokenizationSpaces(string text) => text
        .Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",")
        .Replace(" ' ", "'").Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" 's", "'s")
        .Replace(" 've", "'ve").Replace(" 're", "'re");
}
