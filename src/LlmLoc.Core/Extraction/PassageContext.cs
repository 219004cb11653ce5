using System.Text;
using LlmLoc.Stimuli;
using LlmLoc.Tokenization;

namespace LlmLoc.Extraction;

/// <summary>The tokens extract feeds for one item: at most the model's window, and how many were cut from the front.</summary>
public sealed record ItemTokens(IReadOnlyList<int> Ids, int Dropped);

/// <summary>
/// <c>--context passage</c> as Brain-Score language feeds Pereira 2018's passages (brain-score/language @ c505c70,
/// <c>model_helpers/preprocessing.py</c> <c>prepare_context</c> and <c>HuggingfaceSubject.digest_text</c>): each item is
/// read after the earlier items of its passage (input order; the context restarts per passage), as one text: parts
/// whose stripped text is empty dropped, the rest joined with one space, then any whitespace before <c>. , ! ? ; :</c>
/// removed over the whole text. The item's representation is its last token's. A context longer than the model reads
/// loses its earliest tokens (Brain-Score's tokenizer truncates on the left; a leading BOS is kept, as a tokenizer adds
/// it after truncating).
/// </summary>
public static class PassageContext
{
    /// <summary><c>prepare_context(parts)</c>.</summary>
    public static string Prepare(IEnumerable<string> parts) =>
        RemoveSpaceBeforePunctuation(string.Join(' ', parts.Where(part => PythonText.Strip(part).Length > 0)));

    /// <summary>Python's <c>re.sub(r'\s+([.,!?;:])', r'\1', text)</c>: every run of (Unicode) whitespace directly before
    /// one of . , ! ? ; : is removed.</summary>
    public static string RemoveSpaceBeforePunctuation(string text)
    {
        var result = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length;)
        {
            if (!PythonText.IsWhitespace(text[i])) { result.Append(text[i++]); continue; }
            int end = i;
            while (end < text.Length && PythonText.IsWhitespace(text[end])) end++;
            if (end == text.Length || ".,!?;:".IndexOf(text[end]) < 0) result.Append(text, i, end - i);
            i = end;
        }
        return result.ToString();
    }

    /// <summary>
    /// The tokens of every item read after the earlier items of its passage, cut to <paramref name="window"/> tokens.
    /// Memory and time stay bounded on one very long passage: an item's context is built only from the latest items
    /// whose tokens (counted item by item) exceed the window, plus one more item, before it is tokenized; so the kept
    /// tokens are those of the whole context whenever a tokenizer's pieces never span the space between two items
    /// (GPT-2's and Llama's byte-pair tokenizers split there). The count of dropped tokens is then the tokens cut from
    /// that shorter context plus the earlier items' own token counts.
    /// </summary>
    public static IReadOnlyList<ItemTokens> Tokenize(IReadOnlyList<ExtractionItem> items, HfTokenizer tokenizer, int window, string path)
    {
        var ownTokens = new int[items.Count];
        // Per passage: its items so far, and the running sum of their own token counts (prefix[k] = items before k).
        var passages = new Dictionary<string, (List<int> Items, List<long> Prefix)>();
        var result = new List<ItemTokens>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            ownTokens[i] = tokenizer.Encode(item.Text, addSpecialTokens: false).Count;
            int alone = tokenizer.Encode(item.Text).Count;
            if (alone > window)
                throw new LlmLocException($"{path} line {item.Line} (item {i}) has {alone} tokens, more than the model reads ({window}): shorten it");
            string key = item.Passage ?? "";
            if (!passages.TryGetValue(key, out var passage)) passages[key] = passage = ([], [0]);
            passage.Items.Add(i);
            passage.Prefix.Add(passage.Prefix[^1] + ownTokens[i]);

            // Walk back until the items counted exceed the window, then keep one more as a buffer for the boundary.
            int last = passage.Items.Count - 1, start = last;
            while (start > 0 && passage.Prefix[last + 1] - passage.Prefix[start] <= window) start--;
            IReadOnlyList<int> ids;
            while (true)
            {
                start = Math.Max(0, start - 1);
                ids = tokenizer.Encode(Prepare(Enumerable.Range(start, last - start + 1).Select(k => items[passage.Items[k]].Text)));
                // Exact: the whole context, or one whose tokens after the buffer item fill the window.
                if (start == 0 || ids.Count - ownTokens[passage.Items[start]] - 1 >= window) break;
            }
            if (ids.Count <= window) { result.Add(new ItemTokens(ids, 0)); continue; }
            int keepFront = tokenizer.BosTokenId is { } bos && ids[0] == bos ? 1 : 0;
            long dropped = ids.Count - window + passage.Prefix[start];
            result.Add(new ItemTokens([.. ids.Take(keepFront), .. ids.Skip(keepFront + ids.Count - window)], (int)Math.Min(int.MaxValue, dropped)));
        }
        return result;
    }
}
