using Microsoft.ML.Tokenizers;

namespace LlmLoc.Tokenization;

/// <summary>
/// A SentencePiece tokenizer.model (Llama-2, Mistral, Gemma, Phi-3) through ML.Tokenizers' LlamaTokenizer.
/// BOS/EOS are added by <see cref="HfTokenizer"/>, so the model is created without them and encodes each
/// plain-text segment on its own (its normalizer adds the dummy "▁" prefix per call, as HF's legacy mode does).
/// </summary>
internal sealed class SentencePieceModel : ISegmentModel
{
    readonly SentencePieceTokenizer _sp;
    readonly string?[] _idToToken;
    readonly bool _dummyPrefixOnlyAtStart;

    /// <param name="dummyPrefixOnlyAtStart">transformers' legacy=false: "▁" only before the text's first segment</param>
    public SentencePieceModel(Stream modelProto, bool dummyPrefixOnlyAtStart)
    {
        _sp = LlamaTokenizer.Create(modelProto, addBeginOfSentence: false, addEndOfSentence: false);
        _dummyPrefixOnlyAtStart = dummyPrefixOnlyAtStart && _sp.AddDummyPrefix;
        var vocab = _sp.Vocabulary;
        _idToToken = new string?[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) _idToToken[id] = token;
    }

    public bool AddDummyPrefix => _sp.AddDummyPrefix;

    public int VocabSize => _idToToken.Length;
    public string? IdToToken(int id) => id >= 0 && id < _idToToken.Length ? _idToToken[id] : null;
    public int? TokenToId(string token) => _sp.Vocabulary.TryGetValue(token, out var id) ? id : null;

    public void Encode(string segment, bool startsText, List<int> ids)
    {
        if (segment.Length == 0) return;
        if (_dummyPrefixOnlyAtStart && !startsText)
            throw new LlmLocException("this tokenizer.model has legacy=false (no \"▁\" after special tokens), which llmloc supports only for text without special tokens inside; provide the model's tokenizer.json instead.");
        ids.AddRange(_sp.EncodeToIds(segment, addBeginningOfSentence: false, addEndOfSentence: false,
            considerPreTokenization: true, considerNormalization: true));
    }
}
