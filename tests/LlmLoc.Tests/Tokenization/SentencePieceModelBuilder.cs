using System.Text;

namespace LlmLoc.Tests.Tokenization;

/// <summary>
/// Writes a small SentencePiece ModelProto (sentencepiece_model.proto) by hand: pieces (field 1: piece=1,
/// score=2, type=3), trainer_spec (field 2: model_type=3 BPE=2, byte_fallback=35, unk/bos/eos ids 40-42) and
/// normalizer_spec (field 3: name=1, add_dummy_prefix=3, remove_extra_whitespaces=4, escape_whitespaces=5).
/// </summary>
internal static class SentencePieceModelBuilder
{
    public const int Normal = 1, Unknown = 2, Control = 3, Byte = 6;

    public static byte[] Build(IEnumerable<(string Piece, float Score, int Type)> pieces, bool addDummyPrefix = true)
    {
        var model = new MemoryStream();
        foreach (var (piece, score, type) in pieces)
        {
            var p = new MemoryStream();
            WriteString(p, 1, piece);
            WriteTag(p, 2, 5); p.Write(BitConverter.GetBytes(score));
            WriteTag(p, 3, 0); WriteVarint(p, (ulong)type);
            WriteBytes(model, 1, p.ToArray());
        }
        var trainer = new MemoryStream();
        WriteTag(trainer, 3, 0); WriteVarint(trainer, 2);   // model_type = BPE
        WriteTag(trainer, 35, 0); WriteVarint(trainer, 1);  // byte_fallback
        WriteTag(trainer, 40, 0); WriteVarint(trainer, 0);  // unk_id
        WriteTag(trainer, 41, 0); WriteVarint(trainer, 1);  // bos_id
        WriteTag(trainer, 42, 0); WriteVarint(trainer, 2);  // eos_id
        WriteBytes(model, 2, trainer.ToArray());
        var normalizer = new MemoryStream();
        WriteString(normalizer, 1, "identity");
        WriteTag(normalizer, 3, 0); WriteVarint(normalizer, addDummyPrefix ? 1UL : 0UL);
        WriteTag(normalizer, 4, 0); WriteVarint(normalizer, 0); // keep runs of spaces (Llama)
        WriteTag(normalizer, 5, 0); WriteVarint(normalizer, 1);
        WriteBytes(model, 3, normalizer.ToArray());
        return model.ToArray();
    }

    /// <summary>&lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256 byte pieces (ids 3..258), then the given normal pieces from id 259.</summary>
    public static byte[] LlamaLike(IEnumerable<(string Piece, float Score)> normalPieces, bool addDummyPrefix = true) =>
        Build(new[] { ("<unk>", 0f, Unknown), ("<s>", 0f, Control), ("</s>", 0f, Control) }
            .Concat(Enumerable.Range(0, 256).Select(b => ($"<0x{b:X2}>", 0f, Byte)))
            .Concat(normalPieces.Select(p => (p.Piece, p.Score, Normal))), addDummyPrefix);

    static void WriteTag(Stream s, int field, int wireType) => WriteVarint(s, (ulong)(field << 3 | wireType));

    static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
        s.WriteByte((byte)v);
    }

    static void WriteBytes(Stream s, int field, byte[] bytes)
    {
        WriteTag(s, field, 2);
        WriteVarint(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    static void WriteString(Stream s, int field, string text) => WriteBytes(s, field, Encoding.UTF8.GetBytes(text));
}
