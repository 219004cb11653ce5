using System.Text.Json;

namespace LlmLoc.Models.SafeTensors;

/// <summary>
/// The weights of a model folder: <c>model.safetensors</c>, or <c>model.safetensors.index.json</c> whose
/// <c>weight_map</c> names the shard holding each tensor.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    readonly List<SafeTensorsFile> _files = [];
    readonly Dictionary<string, SafeTensorsFile> _byName = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, SafeTensorsFile> FileOf => _byName;
    public IEnumerable<SafeTensorsEntry> Entries => _byName.Select(kv => kv.Value.Entries[kv.Key]);

    public static Checkpoint Open(string folder)
    {
        var single = Path.Combine(folder, "model.safetensors");
        var index = Path.Combine(folder, "model.safetensors.index.json");
        var checkpoint = new Checkpoint();
        try
        {
            if (File.Exists(single)) checkpoint.Add(SafeTensorsFile.Open(single), null);
            else if (File.Exists(index)) checkpoint.OpenShards(folder, index);
            else if (Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.bin").Any())
                throw new LlmLocException($"model folder '{folder}' has only PyTorch .bin weights; convert them to model.safetensors (transformers: save_pretrained(safe_serialization=True))");
            else
                throw new LlmLocException($"no model.safetensors or model.safetensors.index.json in '{folder}'; pass a Hugging Face model folder");
            return checkpoint;
        }
        catch { checkpoint.Dispose(); throw; }
    }

    void OpenShards(string folder, string indexPath)
    {
        Dictionary<string, string> weightMap;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            IO.JsonStrings.Check(doc.RootElement);
            weightMap = doc.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new LlmLocException($"'{indexPath}' is not a valid safetensors index ({e.Message}); re-download the checkpoint", ExitCodes.RuntimeError);
        }
        string root = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        foreach (var shard in weightMap.Values.Distinct())
        {
            var shardPath = Path.Combine(folder, shard);
            // A shard is a file of the model folder: an absolute path or ../ would read (and map) any file on the machine.
            if (string.IsNullOrEmpty(shard) || Path.IsPathRooted(shard) || !Path.GetFullPath(shardPath).StartsWith(root, StringComparison.Ordinal))
                throw new LlmLocException($"model.safetensors.index.json in '{folder}' names shard '{shard}' outside the model folder; re-download the checkpoint", ExitCodes.RuntimeError);
            if (!File.Exists(shardPath))
                throw new LlmLocException($"shard '{shard}' listed in model.safetensors.index.json is missing from '{folder}'; download every shard", ExitCodes.RuntimeError);
            var names = weightMap.Where(kv => kv.Value == shard).Select(kv => kv.Key).ToHashSet();
            Add(SafeTensorsFile.Open(shardPath), names);
        }
    }

    void Add(SafeTensorsFile file, HashSet<string>? only)
    {
        _files.Add(file);
        foreach (var name in file.Entries.Keys)
        {
            if (only != null && !only.Contains(name)) continue;
            _byName[name] = file;
        }
        if (only != null)
            foreach (var name in only.Where(n => !file.Entries.ContainsKey(n)))
                throw new LlmLocException($"tensor '{name}' is mapped to '{Path.GetFileName(file.Path)}' by the index but that shard lacks it; re-download the checkpoint", ExitCodes.RuntimeError);
    }

    public void Dispose() { foreach (var f in _files) f.Dispose(); }
}
