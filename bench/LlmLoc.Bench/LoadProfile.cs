using System.Diagnostics;
using LlmLoc.Models;
using LlmLoc.Models.Common;
using LlmLoc.Models.SafeTensors;
using static TorchSharp.torch;

/// <summary>Where the load time goes: raw file read vs config, header, module construction, weight reads.</summary>
static class LoadProfile
{
    public static void Run(string folder, int reps)
    {
        var file = Path.Combine(folder, "model.safetensors");
        long length = new FileInfo(file).Length;
        for (int rep = 0; rep < reps; rep++)
        {
            Console.WriteLine($"--- run {rep + 1}, load average {Machine.LoadAverage()}");
            Time("read file into fresh byte[]", () => ReadAll(file, GC.AllocateUninitializedArray<byte>((int)length)));
            var touched = new byte[length];
            Time("read file into touched byte[]", () => ReadAll(file, touched));
            touched = null;
            ModelConfig config = null!; Checkpoint checkpoint = null!; CausalLmBase model = null!;
            Time("config.json", () => config = ModelConfig.Load(folder));
            Time("safetensors header", () => checkpoint = Checkpoint.Open(folder));
            Time("module tree (torch.empty)", () => model = ModelLoader.Create(config, new LoadOptions()));
            Time("weights read into fresh memory", () => ModelLoader.LoadWeights(model, checkpoint, mapFile: false));
            Time("weights read again (memory touched)", () => ModelLoader.LoadWeights(model, checkpoint, mapFile: false));
            model.Dispose(); checkpoint.Dispose();
            foreach (bool map in new[] { false, true })
            {
                ICausalLanguageModel loaded = null!;
                Time($"ModelLoader.Load, MapFile={map}", () => loaded = ModelLoader.Load(folder, new LoadOptions { MapFile = map }));
                Time("  then touch every weight (sum)", () => { foreach (var p in ((CausalLmBase)loaded).parameters()) p.sum().Dispose(); });
                loaded.Dispose();
            }
            GC.Collect();
        }
    }

    /// <summary>One in-memory load in this (fresh) process, the stored dtype on the CPU: ModelLoader.Load, then touching
    /// every weight once (what the first forward pays), and the process's peak RSS after both.</summary>
    public static void OneMode(string folder, bool map)
    {
        long rssBefore = Machine.PeakRssBytes();
        ICausalLanguageModel loaded = null!;
        Time($"ModelLoader.Load, MapFile={map}", () => loaded = ModelLoader.Load(folder, new LoadOptions { MapFile = map, Weights = WeightsMode.InMemory }));
        Time("  then touch every weight (sum)", () => { foreach (var p in ((CausalLmBase)loaded).parameters()) p.sum().Dispose(); });
        long bytes = ((CausalLmBase)loaded).parameters().Sum(p => p.NumberOfElements * p.ElementSize);
        Console.WriteLine($"  weights {bytes / 1e6:F0} MB, peak RSS before load {rssBefore / 1e6:F0} MB, after {Machine.PeakRssBytes() / 1e6:F0} MB, load average {Machine.LoadAverage()}");
        loaded.Dispose();
    }

    static void Time(string what, Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        Console.WriteLine($"  {what,-34}{sw.Elapsed.TotalMilliseconds,8:F0} ms");
    }

    static void ReadAll(string file, byte[] buffer)
    {
        using var handle = File.OpenHandle(file);
        long offset = 0;
        while (offset < buffer.Length) offset += RandomAccess.Read(handle, buffer.AsSpan((int)offset), offset);
    }
}
