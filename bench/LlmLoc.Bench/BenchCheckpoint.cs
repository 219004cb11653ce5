using LlmLoc.Models;

/// <summary>A random GPT-2-small checkpoint (config.json, model.safetensors, the real GPT-2 tokenizer files), written once.</summary>
static class BenchCheckpoint
{
    public static string Folder { get; } = Path.Combine(Path.GetTempPath(), "llmloc-bench-gpt2");

    /// <param name="size">A built-in GPT-2 size (gpt2, gpt2-medium, ...); other sizes go to their own folder.</param>
    public static string Ensure(string sharedRoot, string size = "gpt2")
    {
        string folder = size == "gpt2" ? Folder : Path.Combine(Path.GetTempPath(), "llmloc-bench-" + size);
        if (!File.Exists(Path.Combine(folder, "model.safetensors")))
        {
            using var fresh = ModelLoader.LoadUntrainedGpt2(size);
            ModelLoader.Save(fresh, folder);
        }
        if (size != "gpt2") return folder;
        foreach (var name in new[] { "vocab.json", "merges.txt" })
        {
            var target = Path.Combine(Folder, name);
            if (!File.Exists(target)) File.Copy(Path.Combine(sharedRoot, "tokenizers", "gpt2", name), target);
        }
        return Folder;
    }
}
