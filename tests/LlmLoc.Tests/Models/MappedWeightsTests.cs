using LlmLoc.Models;
using LlmLoc.Models.Common;
using LlmLoc.Models.SafeTensors;
using LlmLoc.Tests.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Tests.Models;

/// <summary>Weights viewed through a memory map of the safetensors file equal weights read into memory, and stay private.</summary>
public class MappedWeightsTests
{
    const string Gpt2 = """{"model_type":"gpt2","n_embd":24,"n_head":3,"n_layer":2,"n_positions":32,"vocab_size":101,"initializer_range":0.1}""";

    static string SavedModel(TempDir dir)
    {
        File.WriteAllText(dir.File("config.json"), Gpt2);
        using var model = ModelLoader.Load(dir.Path, new LoadOptions { Untrained = true, Seed = 7 });
        var saved = Path.Combine(dir.Path, "saved");
        ModelLoader.Save(model, saved);
        return saved;
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();

    [Fact]
    public void MappedAndReadParametersAreBitIdentical()
    {
        using var dir = new TempDir();
        var saved = SavedModel(dir);
        using var mapped = (CausalLmBase)ModelLoader.Load(saved, new LoadOptions { MapFile = true });
        using var read = (CausalLmBase)ModelLoader.Load(saved, new LoadOptions { MapFile = false });
        var readParams = read.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        int count = 0;
        foreach (var (name, p) in mapped.named_parameters())
        {
            Assert.True(Same(p, readParams[name]), name);
            count++;
        }
        Assert.Equal(readParams.Count, count);
    }

    [Fact]
    public void WritingAMappedWeightChangesNeitherTheFileNorAnotherLoad()
    {
        using var dir = new TempDir();
        var saved = SavedModel(dir);
        var file = Path.Combine(saved, "model.safetensors");
        byte[] before = File.ReadAllBytes(file);
        using var first = (CausalLmBase)ModelLoader.Load(saved, new LoadOptions());
        using var second = (CausalLmBase)ModelLoader.Load(saved, new LoadOptions());
        var name = "transformer.h.0.mlp.c_fc.weight";
        var original = second.named_parameters().First(p => p.name == name).parameter.clone();
        using (torch.no_grad()) first.named_parameters().First(p => p.name == name).parameter.fill_(3.0);
        Assert.Equal(3.0f, first.named_parameters().First(p => p.name == name).parameter[0, 0].item<float>());
        Assert.True(Same(original, second.named_parameters().First(p => p.name == name).parameter));
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void MapViewEqualsRead()
    {
        using var dir = new TempDir();
        using var file = SafeTensorsFile.Open(Path.Combine(SavedModel(dir), "model.safetensors"));
        foreach (var name in file.Entries.Keys)
        {
            using var view = file.MapView(name);
            using var copy = file.Read(name);
            Assert.NotNull(view);
            Assert.True(Same(view!, copy), name);
        }
    }

    [Fact]
    public void PopulateCoversEachMappedViewExactlyAndChangesNoValue()
    {
        using var dir = new TempDir();
        using var file = SafeTensorsFile.Open(Path.Combine(SavedModel(dir), "model.safetensors"));
        var views = file.Entries.Keys.Select(name => file.MapView(name)!).ToList();
        var copies = file.Entries.Keys.Select(file.Read).ToList();
        var ranges = SafeTensorsFile.AddressRanges(views);
        Assert.Equal(views.Count, ranges.Count);
        for (int i = 0; i < views.Count; i++)
            Assert.Equal(views[i].NumberOfElements * views[i].ElementSize, ranges[i].Length);
        // Views of one map: their ranges are disjoint and in the file's order.
        var sorted = ranges.OrderBy(r => r.Start).ToList();
        for (int i = 1; i < sorted.Count; i++) Assert.True(sorted[i - 1].Start + sorted[i - 1].Length <= sorted[i].Start);
        SafeTensorsFile.Populate(ranges);
        for (int i = 0; i < views.Count; i++) Assert.True(Same(views[i], copies[i]));
        views.ForEach(v => v.Dispose());
        copies.ForEach(c => c.Dispose());
    }
}
