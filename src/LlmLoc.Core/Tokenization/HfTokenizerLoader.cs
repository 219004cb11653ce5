using System.Text.Json;

namespace LlmLoc.Tokenization;

/// <summary>Builds an <see cref="HfTokenizer"/> from a model folder, choosing files in AutoTokenizer's order of preference.</summary>
internal static class HfTokenizerLoader
{
    public static HfTokenizer FromFolder(string folder)
    {
        if (!Directory.Exists(folder))
            throw new LlmLocException($"model folder {folder} does not exist; pass a folder with the model's tokenizer files.");
        var config = TokenizerConfig.Load(folder);
        string json = Path.Combine(folder, "tokenizer.json"), spm = Path.Combine(folder, "tokenizer.model"),
            vocab = Path.Combine(folder, "vocab.json"), merges = Path.Combine(folder, "merges.txt");

        if (File.Exists(json)) return FromTokenizerJson(json, config);
        if (File.Exists(spm)) return FromSentencePiece(spm, config);
        if (File.Exists(vocab) && File.Exists(merges)) return FromVocabAndMerges(vocab, merges, config);
        if (File.Exists(Path.Combine(folder, "vocab.txt")))
            throw new LlmLocException($"{folder}: found vocab.txt (a WordPiece tokenizer), which llmloc does not support; use a causal LM with a BPE tokenizer.", ExitCodes.RuntimeError);
        throw new LlmLocException($"{folder}: no tokenizer files (tokenizer.json, tokenizer.model, or vocab.json + merges.txt); copy the model's tokenizer files into the folder.");
    }

    static HfTokenizer FromTokenizerJson(string path, TokenizerConfig config)
    {
        var parts = TokenizerJsonLoader.Load(path);
        var added = parts.AddedTokens.Concat(config.AddedTokensDecoder).ToList();
        (string, string, string)? classDefaults = config.IsGptNeoXClass ? ("<|endoftext|>", "<|endoftext|>", "<|endoftext|>") : null;
        var (bos, eos, unk, pad) = SpecialIds(config, added, parts.Model, classDefaults);
        AddConfigSpecials(added, config, parts.Model, classDefaults);

        IEnumerable<int> prefix = parts.PrefixIds, suffix = parts.SuffixIds;
        if (config.IsLlamaFamilyClass || config.IsGptNeoXClass)
        {
            // LlamaTokenizerFast / GemmaTokenizerFast / GPTNeoXTokenizerFast rebuild the post-processor from
            // add_bos_token / add_eos_token (BOS on by default for the first two only).
            bool addBos = config.AddBosToken ?? config.IsLlamaFamilyClass, addEos = config.AddEosToken ?? false;
            prefix = addBos ? [bos ?? throw MissingSpecial("add_bos_token", "bos_token")] : [];
            suffix = addEos ? [eos ?? throw MissingSpecial("add_eos_token", "eos_token")] : [];
        }
        var kind = parts.Model is ByteLevelBpeModel ? "byte-level BPE" : "BPE with byte fallback";
        return HfTokenizer.Create($"{path} ({kind})", parts.Model, parts.Normalizer, parts.Decoder, added, prefix, suffix,
            bos, eos, pad, config.ModelMaxLength, config.CleanUpTokenizationSpaces ?? true);
    }

    static HfTokenizer FromSentencePiece(string path, TokenizerConfig config)
    {
        SentencePieceModel model;
        try
        {
            using var stream = File.OpenRead(path);
            model = new SentencePieceModel(stream, dummyPrefixOnlyAtStart: config.Legacy == false);
        }
        catch (Exception e) when (e is not LlmLocException)
        {
            throw new LlmLocException($"{path}: cannot read the SentencePiece model ({e.Message}); it must be a BPE tokenizer.model (Unigram models are not supported).", ExitCodes.RuntimeError, e);
        }
        var added = config.AddedTokensDecoder.ToList();
        var (bos, eos, unk, pad) = SpecialIds(config, added, model, defaults: ("<s>", "</s>", "<unk>"));
        AddConfigSpecials(added, config, model, defaults: ("<s>", "</s>", "<unk>"));
        bool addBos = config.AddBosToken ?? true, addEos = config.AddEosToken ?? false;

        // The fast tokenizer transformers converts from a tokenizer.model decodes with
        // Replace(▁ → space), ByteFallback, Fuse and, with the dummy prefix, Strip(one leading space).
        var steps = new List<TokenDecoder> { new TokenDecoder.Replace("▁", " "), new TokenDecoder.ByteFallback(), new TokenDecoder.Fuse() };
        if (model.AddDummyPrefix) steps.Add(new TokenDecoder.Strip(' ', 1, 0));
        return HfTokenizer.Create($"{path} (SentencePiece BPE)", model, null, new TokenDecoder.Sequence(steps), added,
            addBos ? [bos ?? throw MissingSpecial("add_bos_token", "bos_token")] : [],
            addEos ? [eos ?? throw MissingSpecial("add_eos_token", "eos_token")] : [],
            bos, eos, pad, config.ModelMaxLength, config.CleanUpTokenizationSpaces ?? true);
    }

    static HfTokenizer FromVocabAndMerges(string vocabPath, string mergesPath, TokenizerConfig config)
    {
        Dictionary<string, int> vocab;
        try { vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabPath)) ?? []; }
        catch (JsonException e) { throw new LlmLocException($"{vocabPath} is not a JSON token → id map ({e.Message}); re-download it.", ExitCodes.InputError, e); }
        // merges.txt: optional "#version" header, then "left right" per line (GPT2Tokenizer reads it the same way).
        var merges = File.ReadLines(mergesPath).Where(l => l.Length > 0 && !l.StartsWith("#version", StringComparison.Ordinal)).ToList();
        var model = new ByteLevelBpeModel(vocab, merges, SplitPreTokenizer.Gpt2, source: mergesPath);

        // GPT2Tokenizer's defaults: bos = eos = unk = <|endoftext|>, add_bos_token false.
        var defaults = ("<|endoftext|>", "<|endoftext|>", "<|endoftext|>");
        var added = config.AddedTokensDecoder.ToList();
        var (bos, eos, unk, pad) = SpecialIds(config, added, model, defaults);
        AddConfigSpecials(added, config, model, defaults);
        bool addBos = config.AddBosToken ?? false, addEos = config.AddEosToken ?? false;
        return HfTokenizer.Create($"{vocabPath} + merges.txt (GPT-2 byte-level BPE)", model, null, new TokenDecoder.ByteLevel(), added,
            addBos ? [bos ?? throw MissingSpecial("add_bos_token", "bos_token")] : [],
            addEos ? [eos ?? throw MissingSpecial("add_eos_token", "eos_token")] : [],
            bos, eos, pad, config.ModelMaxLength, config.CleanUpTokenizationSpaces ?? true);
    }

    static (int? Bos, int? Eos, int? Unk, int? Pad) SpecialIds(TokenizerConfig config, List<AddedToken> added, ISegmentModel model,
        (string Bos, string Eos, string Unk)? defaults)
    {
        int? Id(string? token) => token is null ? null : added.FirstOrDefault(a => a.Content == token)?.Id ?? model.TokenToId(token);
        return (Id(config.BosToken ?? defaults?.Bos), Id(config.EosToken ?? defaults?.Eos), Id(config.UnkToken ?? defaults?.Unk), Id(config.PadToken));
    }

    /// <summary>Special tokens named in the config are never split (HF adds them to the added vocabulary as special).</summary>
    static void AddConfigSpecials(List<AddedToken> added, TokenizerConfig config, ISegmentModel model, (string Bos, string Eos, string Unk)? defaults = null)
    {
        var names = new[] { config.BosToken ?? defaults?.Bos, config.EosToken ?? defaults?.Eos, config.UnkToken ?? defaults?.Unk, config.PadToken }
            .Concat(config.AdditionalSpecialTokens);
        foreach (var name in names)
        {
            if (name is null) continue;
            int index = added.FindIndex(a => a.Content == name);
            if (index >= 0) { added[index] = added[index] with { Special = true }; continue; }
            if (model.TokenToId(name) is { } id) added.Add(new AddedToken(id, name, Special: true));
        }
    }

    static LlmLocException MissingSpecial(string flag, string token) =>
        new($"tokenizer_config.json sets {flag} but no {token} is defined or found in the vocabulary; add {token} to tokenizer_config.json.");
}
