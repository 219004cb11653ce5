using LlmLoc.Models;
using LlmLoc.Models.Common;
using LlmLoc.Tests.Infrastructure;
using TorchSharp;

namespace LlmLoc.Tests.Models;

/// <summary>docs/models.md's family table is derived from ModelRegistry: every registered model_type, its class and the module path of its blocks.</summary>
public class ModelDocsTests
{
    [Fact]
    public void FamilyTableListsEveryRegisteredModelTypeWithItsClassAndBlockPrefix()
    {
        var rows = File.ReadLines(Path.Combine(Shared.RepoRoot, "docs", "models.md"))
            .Where(l => l.StartsWith("| `"))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .GroupBy(c => c[1].Trim('`'))
            .ToDictionary(g => g.Key, g => g.First());
        var configs = FamilyRoundTripTests.Configs.Select(r => (string)r[1]).ToList();
        foreach (var modelType in ModelRegistry.ModelTypes)
        {
            Assert.True(rows.TryGetValue(modelType, out var row), $"docs/models.md has no row for {modelType}");
            // Every family has a tiny config in the round-trip tests; build it to read its class and block path.
            var json = configs.FirstOrDefault(c => c.Contains($"\"model_type\":\"{modelType}\""));
            Assert.True(json is not null, $"FamilyRoundTripTests.Configs has no {modelType} model");
            using var model = ModelLoader.Create(ModelConfig.Parse(json!), new LoadOptions());
            var firstBlock = model.named_modules().First(m => m.module is DecoderBlock { LayerIndex: 0 }).name;
            Assert.StartsWith($"`{model.GetName()}`", row![2]);
            Assert.Equal($"`{firstBlock[..^2]}`", row[3]);
        }
        Assert.Equal(ModelRegistry.ModelTypes.Order(), rows.Keys.Where(k => k != "model_type").Order()); // no row without a family
    }
}
