using LlmLoc.Models;
using LlmLoc.Platform;
using static LlmLoc.Tests.Infrastructure.ModelFixture;

namespace LlmLoc.Tests.Platform;

/// <summary>Linux's hints (posix_fadvise while streaming, madvise populate of mapped weights, mallopt) and the portable
/// none give bit-identical model outputs: they change speed and memory, never results.</summary>
public class OsHintsTests
{
    static float[] Blocks(string family, WeightsMode weights, IOsHints hints)
    {
        using var _ = OsHints.Use(hints);
        using var model = ModelLoader.Load(Folder(family), new LoadOptions { Weights = weights });
        var inputs = ReadInputs(family);
        return Run(model, inputs.Ids, inputs.Mask, logits: false).Blocks;
    }

    [Theory]
    [InlineData("gpt2", WeightsMode.Streamed)]
    [InlineData("llama-bf16", WeightsMode.Streamed)]
    [InlineData("gpt2", WeightsMode.InMemory)]
    public void PortableHintsGiveTheSameBlockOutputsAsLinuxHints(string family, WeightsMode weights)
    {
        Assert.IsNotType<PortableOsHints>(OsHints.Current); // this test runs on Linux, with libc's calls
        var linux = Blocks(family, weights, OsHints.Current);
        var portable = Blocks(family, weights, PortableOsHints.Instance);
        Assert.Equal(linux, portable);
        Assert.Contains(linux, v => v != 0);
    }
}
