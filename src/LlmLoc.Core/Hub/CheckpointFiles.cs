using System.Text.Json;

namespace LlmLoc.Hub;

/// <summary>
/// Which files make up a checkpoint llmloc can load, decided without a repo-listing API: the config, the optional
/// generation config and tokenizer files, then safetensors weights (one file, or an index plus its shards).
/// </summary>
internal static class CheckpointFiles
{
    public const string Config = "config.json";
    public const string GenerationConfig = "generation_config.json";
    public const string SafetensorsSingle = "model.safetensors";
    public const string SafetensorsIndex = "model.safetensors.index.json";
    public static readonly string[] PickleWeights = ["pytorch_model.bin", "pytorch_model.bin.index.json"];

    public static readonly string[] TokenizerFiles =
        ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model", "vocab.json", "merges.txt"];

    /// <summary>Optional files, fetched when present and recorded in .no_exist when the hub says they are absent.</summary>
    public static IEnumerable<string> Optional => [GenerationConfig, .. TokenizerFiles];

    /// <summary>The shard files an index names in its weight_map (distinct, sorted).</summary>
    public static IReadOnlyList<string> ShardsOf(string indexPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            IO.JsonStrings.Check(doc.RootElement);
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new LlmLocException($"{indexPath} has no \"weight_map\" object; the checkpoint index is malformed", ExitCodes.InputError);
            var shards = map.EnumerateObject().Select(p => p.Value.GetString() ?? "").Distinct().Order(StringComparer.Ordinal).ToList();
            foreach (var shard in shards) HubCacheRepo.RelativeLocalPath(shard); // refuse shard names that escape the folder
            return shards;
        }
        catch (JsonException e)
        {
            throw new LlmLocException($"{indexPath} is not valid JSON ({e.Message}); delete it from the cache and run again", ExitCodes.InputError, e);
        }
    }

    /// <summary>Weights present: model.safetensors, or the index and every shard it names.</summary>
    public static bool HasWeights(string snapshot)
    {
        if (HubCacheRepo.IsPresent(Path.Combine(snapshot, SafetensorsSingle))) return true;
        string index = Path.Combine(snapshot, SafetensorsIndex);
        if (!HubCacheRepo.IsPresent(index)) return false;
        try { return ShardsOf(index).All(s => HubCacheRepo.IsPresent(Path.Combine(snapshot, HubCacheRepo.RelativeLocalPath(s)))); }
        catch (LlmLocException) { return false; }
    }

    /// <summary>
    /// A tokenizer is settled when a usable set is present (tokenizer.json, tokenizer.model, or vocab.json + merges.txt)
    /// or every tokenizer file is known to be absent (a model without a tokenizer: asking again would not help).
    /// </summary>
    public static bool TokenizerSettled(HubCacheRepo cache, string commit)
    {
        bool Has(string f) => cache.HasFile(commit, f);
        return Has("tokenizer.json") || Has("tokenizer.model") || (Has("vocab.json") && Has("merges.txt"))
            || TokenizerFiles.All(f => Has(f) || cache.KnownMissing(commit, f));
    }
}
