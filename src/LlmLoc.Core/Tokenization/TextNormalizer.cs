using System.Text;

namespace LlmLoc.Tokenization;

/// <summary>A normalizer from tokenizer.json, applied to each plain-text segment before the model runs.</summary>
internal abstract record TextNormalizer
{
    public abstract string Apply(string text);

    /// <summary>Prepend: adds a prefix to a non-empty segment (Llama's "▁" dummy prefix on every segment).</summary>
    public sealed record Prepend(string Prefix) : TextNormalizer
    {
        public override string Apply(string text) => text.Length == 0 ? text : Prefix + text;
    }

    /// <summary>Replace of a literal string (regex patterns are rejected at load time).</summary>
    public sealed record Replace(string Pattern, string Content) : TextNormalizer
    {
        public override string Apply(string text) => text.Replace(Pattern, Content, StringComparison.Ordinal);
    }

    public sealed record UnicodeForm(NormalizationForm Form) : TextNormalizer
    {
        public override string Apply(string text) => text.Normalize(Form);
    }

    public sealed record Lowercase : TextNormalizer
    {
        public override string Apply(string text) => text.ToLowerInvariant();
    }

    public sealed record Sequence(IReadOnlyList<TextNormalizer> Steps) : TextNormalizer
    {
        public override string Apply(string text)
        {
            foreach (var s in Steps) text = s.Apply(text);
            return text;
        }
    }
}
