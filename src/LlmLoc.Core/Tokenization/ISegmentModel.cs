namespace LlmLoc.Tokenization;

/// <summary>
/// The tokenization model proper: turns one piece of plain text (added/special tokens already split off,
/// normalizer already applied) into ids, and maps ids back to the model's token strings.
/// </summary>
internal interface ISegmentModel
{
    /// <param name="segment">normalized text without any added token in it</param>
    /// <param name="startsText">the segment starts at offset 0 of the encoded text (Metaspace prepend_scheme "first")</param>
    void Encode(string segment, bool startsText, List<int> ids);

    /// <summary>Size of the model vocabulary (HF <c>tokenizer.vocab_size</c>: added tokens beyond it not counted).</summary>
    int VocabSize { get; }

    /// <summary>The model's token string for an id (byte-level or ▁-escaped form), or null if the id is unknown.</summary>
    string? IdToToken(int id);

    int? TokenToId(string token);
}
