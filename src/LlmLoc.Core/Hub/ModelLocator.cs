namespace LlmLoc.Hub;

/// <summary>
/// Resolves <c>--model-name</c> the way transformers' from_pretrained does: an existing folder is used as is; anything
/// else is a Hugging Face hub id whose checkpoint comes from (and goes to) the shared huggingface_hub cache.
/// </summary>
public static class ModelLocator
{
    /// <summary>
    /// A local folder → returned unchanged. A hub id (<c>gpt2</c>, <c>org/name</c>, optionally <c>org/name@revision</c>) →
    /// the snapshot folder <c>…/models--org--name/snapshots/&lt;commit&gt;</c> holding config.json, generation_config.json and
    /// the tokenizer files the repo has, and model.safetensors or model.safetensors.index.json with every shard.
    /// Makes no request when the cache already holds all of that for the revision.
    /// </summary>
    public static string Resolve(string modelName, HubOptions? options = null, CancellationToken ct = default) =>
        ResolveAsync(modelName, options, Environment.GetEnvironmentVariable, ct).GetAwaiter().GetResult();

    /// <inheritdoc cref="Resolve"/>
    public static Task<string> ResolveAsync(string modelName, HubOptions? options = null, CancellationToken ct = default) =>
        ResolveAsync(modelName, options, Environment.GetEnvironmentVariable, ct);

    /// <summary>Same, reading "environment variables" from <paramref name="env"/> (tests pass their own).</summary>
    internal static async Task<string> ResolveAsync(string modelName, HubOptions? options, Func<string, string?> env, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        if (IsExistingFolder(modelName)) return modelName;
        if (File.Exists(modelName))
            throw new LlmLocException($"'{modelName}' is a file; --model-name takes a model folder (with config.json) or a Hugging Face id " +
                "like org/name", ExitCodes.InputError);

        var id = HubModelId.Parse(modelName);
        var settings = HubSettings.From(options, env);
        return await SnapshotResolver.ResolveAsync(new HubContext(settings, id), ct);
    }

    /// <summary>
    /// Python's os.path.isdir: .NET normalizes "missing/.." lexically to ".", but the OS (and Python) need "missing" to exist.
    /// </summary>
    static bool IsExistingFolder(string path)
    {
        if (!Directory.Exists(path)) return false;
        var parts = path.Split('/');
        for (int i = 1; i < parts.Length; i++)
            if (parts[i] == ".." && !Directory.Exists(string.Join('/', parts[..i]) is { Length: > 0 } prefix ? prefix : "/"))
                return false;
        return true;
    }
}
