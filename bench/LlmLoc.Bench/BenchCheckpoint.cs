using LlmLoc.Models;

/// <summary>A random GPT-2-small checkpoint (config.json, model.safetensors, the real GPT-2 tokenizer files), written once.</summary>
static class BenchCheckpoint
{
    public static string Folder { get; } = Path.Combine(Path.GetTempPath(), "llmloc-bench-gpt2");

    public static string Ensure(string sharedRoot)
    {
        if (!File.Exists(Path.Combine(Folder, "model.safetensors")))
        {
            using var fresh = ModelLoader.LoadUntrainedGpt2("gpt2");
            ModelLoader.Save(fresh, Folder);
        }
        foreach (var name in new[] { "vocab.json", "merges.txt" })
        {
            var target = Path.Combine(Folder, name);
            if (!File.Exists(target)) File.Copy(Path.Combine(sharedRoot, "tokenizers", "gpt2", name), target);
        }
        return Folder;
    }
}
