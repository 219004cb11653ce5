using System.Text;

namespace LlmLoc.Tokenization;

/// <summary>Metaspace pre-tokenizer settings (HF): spaces become Replacement, which is prepended per PrependScheme.</summary>
internal sealed record MetaspaceOptions(char Replacement, string PrependScheme, bool Split);

/// <summary>
/// Non-byte-level BPE from tokenizer.json (Llama-2, Mistral: "▁"-escaped text, byte_fallback to &lt;0xXX&gt;).
/// Written by hand because ML.Tokenizers cannot express it: BpeTokenizer has no byte fallback, and its
/// SentencePiece tokenizers merge by piece score, whereas tokenizer.json defines merge ranks.
/// Semantics follow HF tokenizers' BPE: symbols start as characters (unknown ones fall back to byte tokens,
/// else unk, fused if fuse_unk), then the adjacent pair with the lowest merge rank (leftmost on ties) is merged
/// until no pair has a rank.
/// </summary>
internal sealed class MergeBpeModel : ISegmentModel
{
    readonly Dictionary<string, int> _vocab;
    readonly string?[] _idToToken;
    readonly Dictionary<long, (int Rank, int Merged)> _merges; // key: PairKey(left id, right id)
    readonly int? _unkId;
    readonly bool _fuseUnk, _byteFallback, _ignoreMerges;
    readonly MetaspaceOptions? _metaspace;
    readonly int[] _byteIds = new int[256];

    public MergeBpeModel(Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, string? unkToken,
        bool fuseUnk, bool byteFallback, bool ignoreMerges, MetaspaceOptions? metaspace)
    {
        _vocab = vocab;
        _idToToken = new string?[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) _idToToken[id] = token;
        _merges = new Dictionary<long, (int, int)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (l, r) = merges[rank];
            if (!vocab.TryGetValue(l, out var li) || !vocab.TryGetValue(r, out var ri) || !vocab.TryGetValue(l + r, out var mi))
                throw new LlmLocException($"tokenizer.json merge #{rank} \"{l} {r}\" uses a token missing from the vocabulary; the file is corrupt, re-download it.");
            _merges.TryAdd(PairKey(li, ri), (rank, mi));
        }
        _unkId = unkToken is not null && vocab.TryGetValue(unkToken, out var u) ? u : null;
        _fuseUnk = fuseUnk;
        _byteFallback = byteFallback;
        _ignoreMerges = ignoreMerges;
        _metaspace = metaspace;
        for (int b = 0; b < 256; b++) _byteIds[b] = vocab.TryGetValue($"<0x{b:X2}>", out var id) ? id : -1;
    }

    static long PairKey(int left, int right) => (long)left << 32 | (uint)right;

    public int VocabSize => _vocab.Count;
    public string? IdToToken(int id) => id >= 0 && id < _idToToken.Length ? _idToToken[id] : null;
    public int? TokenToId(string token) => _vocab.TryGetValue(token, out var id) ? id : null;

    public void Encode(string segment, bool startsText, List<int> ids)
    {
        if (_metaspace is null) { EncodeWord(segment, ids); return; }
        var m = _metaspace;
        var text = segment.Replace(' ', m.Replacement);
        bool prepend = m.PrependScheme == "always" || (m.PrependScheme == "first" && startsText);
        if (prepend && text.Length > 0 && text[0] != m.Replacement) text = m.Replacement + text;
        if (!m.Split) { EncodeWord(text, ids); return; }
        // split=true: every replacement char starts a new word (MergedWithNext).
        int start = 0;
        for (int i = 1; i <= text.Length; i++)
            if (i == text.Length || text[i] == m.Replacement) { EncodeWord(text[start..i], ids); start = i; }
    }

    void EncodeWord(string word, List<int> ids)
    {
        if (word.Length == 0) return;
        if (_ignoreMerges && _vocab.TryGetValue(word, out var whole)) { ids.Add(whole); return; }

        var symbols = new List<int>(word.Length);
        bool previousWasUnk = false;
        foreach (var rune in word.EnumerateRunes())
        {
            var s = rune.ToString();
            if (_vocab.TryGetValue(s, out var id)) { symbols.Add(id); previousWasUnk = false; continue; }
            if (_byteFallback && TryAddBytes(rune, symbols)) { previousWasUnk = false; continue; }
            if (_unkId is null)
                throw new LlmLocException($"character U+{rune.Value:X4} is not in the tokenizer vocabulary and the tokenizer has no unk token; remove it from the text.");
            if (!(_fuseUnk && previousWasUnk)) symbols.Add(_unkId.Value);
            previousWasUnk = true;
        }
        MergeAll(symbols);
        ids.AddRange(symbols.Where(id => id >= 0));
    }

    bool TryAddBytes(Rune rune, List<int> symbols)
    {
        Span<byte> buffer = stackalloc byte[4];
        int n = rune.EncodeToUtf8(buffer);
        for (int i = 0; i < n; i++) if (_byteIds[buffer[i]] < 0) return false;
        for (int i = 0; i < n; i++) symbols.Add(_byteIds[buffer[i]]);
        return true;
    }

    /// <summary>Merges in place; merged-away symbols are set to -1. Uses a heap of candidate pairs keyed by (rank, position).</summary>
    void MergeAll(List<int> symbols)
    {
        int n = symbols.Count;
        var next = new int[n];
        var prev = new int[n];
        for (int i = 0; i < n; i++) { next[i] = i + 1 < n ? i + 1 : -1; prev[i] = i - 1; }
        var heap = new PriorityQueue<(int Left, int Right, int Merged), (int Rank, int Pos)>();
        for (int i = 0; i + 1 < n; i++) Push(i, i + 1);

        while (heap.TryDequeue(out var c, out _))
        {
            // Skip stale candidates: either side merged away or changed since the pair was queued.
            if (symbols[c.Left] < 0 || symbols[c.Right] < 0 || next[c.Left] != c.Right) continue;
            if (!_merges.TryGetValue(PairKey(symbols[c.Left], symbols[c.Right]), out var m) || m.Merged != c.Merged) continue;
            symbols[c.Left] = c.Merged;
            symbols[c.Right] = -1;
            next[c.Left] = next[c.Right];
            if (next[c.Right] >= 0) prev[next[c.Right]] = c.Left;
            if (prev[c.Left] >= 0) Push(prev[c.Left], c.Left);
            if (next[c.Left] >= 0) Push(c.Left, next[c.Left]);
        }

        void Push(int left, int right)
        {
            if (_merges.TryGetValue(PairKey(symbols[left], symbols[right]), out var m)) heap.Enqueue((left, right, m.Merged), (m.Rank, left));
        }
    }
}
