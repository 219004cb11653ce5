using LlmLoc.Lesion;
using LlmLoc.Masks;
using LlmLoc.Models;
using TorchSharp;
using static LlmLoc.Tests.Infrastructure.ModelFixture;
using static TorchSharp.torch;

namespace LlmLoc.Tests.Lesion;

/// <summary>
/// An MLP-site lesion zeroes the input units of each block's MLP output projection, so it must equal the same model
/// with those input units' weights cut out of the projection (rows of GPT-2's Conv1D [in, out], columns of a Linear
/// [out, in]) — an independent construction of the same ablated network.
/// </summary>
public class MlpSiteLesionTests
{
    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama")]
    [InlineData("phi3")]
    [InlineData("falcon")]
    [InlineData("pythia")]
    [InlineData("gemma2")]
    public void MlpLesionEqualsCuttingTheProjectionsInputWeights(string name)
    {
        var inputs = ReadInputs(name);
        using var lesioned = ModelLoader.Load(Folder(name), new LoadOptions { MapFile = false });
        using var cut = ModelLoader.Load(Folder(name), new LoadOptions { MapFile = false });
        int layers = lesioned.NumLayers, width = lesioned.UnitsPerLayer(UnitSite.Mlp);
        var values = new long[layers * width];
        var random = new Random(7);
        for (int i = 0; i < values.Length; i++) values[i] = random.Next(4) == 0 ? 1 : 0;
        var mask = new UnitMask(values, layers, width, "a quarter of the MLP units") { Site = UnitSite.Mlp };

        using (torch.no_grad())
            foreach (var (parameterName, weight) in ((nn.Module)cut).named_parameters())
            {
                if (!IsOutputProjection(parameterName, out int layer)) continue;
                bool conv1D = name == "gpt2"; // [in, out]
                for (int u = 0; u < width; u++)
                    if (mask[layer, u] == 1) (conv1D ? weight[u] : weight[.., u]).zero_();
            }

        var (blocks, logits, _) = Run(cut, inputs.Ids, inputs.Mask);
        using (new UnitLesion(lesioned, mask))
        {
            var (lesionedBlocks, lesionedLogits, _) = Run(lesioned, inputs.Ids, inputs.Mask);
            AssertClose(blocks, lesionedBlocks, $"{name} block outputs", atol: 1e-5, rtol: 1e-5);
            AssertClose(logits!, lesionedLogits!, $"{name} logits", atol: 1e-5, rtol: 1e-5);
        }
        // Removed with the lesion: the intact model differs from the cut one again.
        var (intact, _, _) = Run(lesioned, inputs.Ids, inputs.Mask);
        Assert.NotEqual(blocks, intact);
    }

    [Fact]
    public void AMaskOfTheResidualShapeIsRefusedAtTheMlpSite()
    {
        using var model = ModelLoader.Load(Folder("gpt2"), new LoadOptions());
        var mask = new UnitMask(new long[model.NumLayers * model.HiddenSize], model.NumLayers, model.HiddenSize, "resid-shaped") { Site = UnitSite.Mlp };
        var error = Assert.Throws<LlmLocException>(() => new UnitLesion(model, mask));
        Assert.Contains($"{model.UnitsPerLayer(UnitSite.Mlp)}", error.Message);
    }

    static bool IsOutputProjection(string parameterName, out int layer)
    {
        layer = -1;
        var parts = parameterName.Split('.');
        if (parts.Length < 4 || parts[^1] != "weight" || parts[^3] != "mlp" || parts[^2] is not ("c_proj" or "dense_4h_to_h" or "down_proj")) return false;
        layer = int.Parse(parts[^4], System.Globalization.CultureInfo.InvariantCulture);
        return true;
    }
}
