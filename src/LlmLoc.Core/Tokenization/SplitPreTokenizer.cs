using System.Text.RegularExpressions;

namespace LlmLoc.Tokenization;

/// <summary>How a split step treats the matched parts (HF SplitDelimiterBehavior).</summary>
internal enum SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous }

/// <summary>One regex-driven splitting step of a pre-tokenizer (HF Split, and the fixed-pattern ones mapped onto it).</summary>
internal sealed record SplitStep(Regex Pattern, SplitBehavior Behavior, bool Invert = false)
{
    /// <summary>Splits the span [start, start+length) of text into sub-spans.</summary>
    public void Apply(string text, int start, int length, List<(int Start, int Length)> output)
    {
        // Parts: (start, length, isMatch). With invert the matches are the kept content and the gaps the delimiters.
        var parts = new List<(int S, int L, bool Delim)>();
        int pos = start, end = start + length;
        for (var m = Pattern.Match(text, start, length); m.Success; m = m.NextMatch())
        {
            if (m.Length == 0) continue;
            if (m.Index > pos) parts.Add((pos, m.Index - pos, Invert));
            parts.Add((m.Index, m.Length, !Invert));
            pos = m.Index + m.Length;
        }
        if (pos < end) parts.Add((pos, end - pos, Invert));

        switch (Behavior)
        {
            case SplitBehavior.Removed:
                foreach (var p in parts) if (!p.Delim) output.Add((p.S, p.L));
                break;
            case SplitBehavior.Isolated:
                foreach (var p in parts) output.Add((p.S, p.L));
                break;
            case SplitBehavior.Contiguous:
                for (int i = 0; i < parts.Count; i++)
                {
                    var (s, l, d) = parts[i];
                    while (d && i + 1 < parts.Count && parts[i + 1].Delim) { i++; l += parts[i].L; }
                    output.Add((s, l));
                }
                break;
            case SplitBehavior.MergedWithPrevious:
            {
                int? openStart = null; int openEnd = 0;
                foreach (var p in parts)
                {
                    if (p.Delim && openStart is not null) { openEnd = p.S + p.L; output.Add((openStart.Value, openEnd - openStart.Value)); openStart = null; }
                    else if (p.Delim) output.Add((p.S, p.L));
                    else { if (openStart is not null) output.Add((openStart.Value, openEnd - openStart.Value)); openStart = p.S; openEnd = p.S + p.L; }
                }
                if (openStart is not null) output.Add((openStart.Value, openEnd - openStart.Value));
                break;
            }
            case SplitBehavior.MergedWithNext:
            {
                int? pendingStart = null;
                foreach (var p in parts)
                {
                    if (p.Delim)
                    {
                        if (pendingStart is not null) output.Add((pendingStart.Value, p.S - pendingStart.Value));
                        pendingStart = p.S;
                    }
                    else { output.Add((pendingStart ?? p.S, p.S + p.L - (pendingStart ?? p.S))); pendingStart = null; }
                }
                if (pendingStart is not null) output.Add((pendingStart.Value, end - pendingStart.Value));
                break;
            }
        }
    }
}

/// <summary>A sequence of split steps: each step splits every piece the previous one produced.</summary>
internal sealed class SplitPreTokenizer(IReadOnlyList<SplitStep> steps)
{
    /// <summary>GPT-2's pre-tokenizer pattern (HF ByteLevel use_regex=true). .NET's \s equals Unicode White_Space.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    public static readonly SplitPreTokenizer Gpt2 =
        new([new SplitStep(new Regex(Gpt2Pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant), SplitBehavior.Isolated)]);

    public IReadOnlyList<SplitStep> Steps { get; } = steps;

    public List<(int Start, int Length)> Split(string text)
    {
        var current = new List<(int, int)> { (0, text.Length) };
        foreach (var step in Steps)
        {
            var next = new List<(int, int)>();
            foreach (var (s, l) in current) step.Apply(text, s, l, next);
            current = next;
        }
        current.RemoveAll(p => p.Item2 == 0);
        return current;
    }
}
