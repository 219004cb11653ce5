using Microsoft.ML.Tokenizers;

namespace LlmLoc.Tokenization;

/// <summary>
/// Byte-level BPE (GPT-2, Llama-3, Falcon) on Microsoft.ML.Tokenizers' BpeTokenizer with ByteLevel = true.
/// Pre-tokenization is done here (HF pre-tokenizers can be sequences ML.Tokenizers cannot express); each
/// pre-token is handed to the BpeTokenizer as one word. Note: BpeTokenizer.Create(vocab, merges) without
/// ByteLevel gives wrong ids for GPT-2, and CodeGenTokenizer differs on runs of spaces.
/// </summary>
internal sealed class ByteLevelBpeModel : ISegmentModel
{
    readonly BpeTokenizer _bpe;
    readonly SplitPreTokenizer _preTokenizer;
    readonly Dictionary<string, int> _vocab;
    readonly string?[] _idToToken;
    readonly bool _ignoreMerges, _addPrefixSpace;

    /// <summary>Longest pre-token (a run without spaces) encoded; BPE costs grow with its square (docs/errors.md).</summary>
    public const int MaxWordChars = 4_000;

    /// <summary>Ids above this are refused: the id → token table is allocated up to the largest id.</summary>
    const int MaxTokenId = 1 << 24;

    public ByteLevelBpeModel(Dictionary<string, int> vocab, IEnumerable<string> merges, SplitPreTokenizer preTokenizer,
        bool ignoreMerges = false, bool addPrefixSpace = false, string source = "the tokenizer's merges")
    {
        foreach (var (token, id) in vocab)
            if (id is < 0 or > MaxTokenId)
                throw new LlmLocException($"{source}: token '{token}' has id {id}, outside 0…{MaxTokenId}; the vocabulary is damaged, re-download it");
        merges = CheckedMerges(merges, source);
        _vocab = vocab;
        _preTokenizer = preTokenizer;
        _ignoreMerges = ignoreMerges;
        _addPrefixSpace = addPrefixSpace;
        _bpe = BpeTokenizer.Create(new BpeOptions(vocab) { Merges = merges, ByteLevel = true });
        _idToToken = new string?[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) _idToToken[id] = token;
    }

    /// <summary>Every merge is "left right": two non-empty parts (a truncated or damaged merges.txt has other lines).</summary>
    static List<string> CheckedMerges(IEnumerable<string> merges, string source)
    {
        var list = merges.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            var parts = list[i].Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new LlmLocException($"{source}: merge {i + 1} ('{(list[i].Length > 40 ? list[i][..40] + "…" : list[i])}') is not two tokens separated by one space; " +
                    "the file is truncated or damaged, re-download it");
        }
        return list;
    }

    public int VocabSize => _vocab.Count;
    public string? IdToToken(int id) => id >= 0 && id < _idToToken.Length ? _idToToken[id] : null;
    public int? TokenToId(string token) => _vocab.TryGetValue(token, out var id) ? id : null;

    public void Encode(string segment, bool startsText, List<int> ids)
    {
        if (_addPrefixSpace && !segment.StartsWith(' ')) segment = " " + segment;
        foreach (var (start, length) in _preTokenizer.Split(segment))
        {
            // BPE merging is quadratic in a word's length (200k characters take minutes): refuse what no text needs.
            if (length > MaxWordChars)
                throw new LlmLocException($"the text holds a \"word\" of {length} characters without a space (more than {MaxWordChars}; " +
                    $"it starts '{segment.Substring(start, 20)}…'); byte-level BPE would take minutes on it: remove or break it up");
            var word = segment.Substring(start, length);
            if (_ignoreMerges && _vocab.TryGetValue(ByteLevelMapping.Encode(word), out var whole)) { ids.Add(whole); continue; }
            ids.AddRange(_bpe.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false));
        }
    }
}
