using System.Xml.Linq;
using LlmLoc.Plotting;
using LlmLoc.Tests.Infrastructure;
using SkiaSharp;

namespace LlmLoc.Tests.Workflow;

public sealed class MaskPlotsTests : IDisposable
{
    readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>&lt;path&gt;.png and &lt;path&gt;.svg, staged and committed as <see cref="PlotRun"/> writes figures.</summary>
    static void Save(Figure figure, string path)
    {
        using var outputs = new LlmLoc.IO.OutputSet();
        figure.AddTo(outputs, path);
        outputs.Commit();
    }

    /// <summary>3 layers × 8 units: 1, 2, 0 selected → 12.5 %, 25.0 %, 0.0 %.</summary>
    static long[,] ModelA() => new long[,]
    {
        { 1, 0, 0, 0, 0, 0, 0, 0 },
        { 0, 1, 0, 0, 0, 0, 0, 1 },
        { 0, 0, 0, 0, 0, 0, 0, 0 },
    };

    /// <summary>2 layers × 4 units: 3, 1 selected → 75.0 %, 25.0 %; its missing third layer stays blank.</summary>
    static long[,] ModelB() => new long[,]
    {
        { 1, 1, 0, 1 },
        { 0, 0, 1, 0 },
    };

    [Fact]
    public void Percentages_are_selected_units_over_units_per_layer_with_NaN_past_a_masks_depth()
    {
        var table = LayerSelection.Percentages([ModelA(), ModelB()]);

        Assert.Equal(new double[,] { { 12.5, 75 }, { 25, 25 }, { 0, double.NaN } }, table);
    }

    [Fact]
    public void Heatmap_writes_a_non_uniform_png_and_an_svg_with_the_cell_annotations()
    {
        var path = _temp.File("heatmap");

        Save(MaskPlots.Heatmap([("model-a", ModelA()), ("model-b", ModelB())], "language units"), path);

        using var png = SKBitmap.Decode(path + ".png");
        Assert.NotNull(png);
        // 4 × 6 inches plus 0.8 inch for the second column, at 150 dpi.
        Assert.Equal(((4 + 0.8) * 150, 6 * 150), (png.Width, png.Height));
        Assert.True(DistinctColors(png) > 20, "the PNG looks blank");
        // Viridis ends: the 75 % cell is drawn in the yellow end colour, the 0 % cell in the purple one.
        Assert.True(CountPixels(png, ViridisMax) > 1000, "no cell in viridis yellow");
        Assert.True(CountPixels(png, ViridisMin) > 1000, "no cell in viridis purple");
        var svg = XDocument.Load(path + ".svg");
        var texts = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToList();
        foreach (var label in new[] { "12.5 %", "25.0 %", "0.0 %", "75.0 %", "model-a", "model-b", "language units", "layer" })
            Assert.Contains(label, texts);
        Assert.Equal(2, texts.Count(t => t == "25.0 %"));
        Assert.Equal(5, texts.Count(t => t.EndsWith(" %"))); // the blank cell has no annotation
    }

    [Fact]
    public void A_single_mask_column_is_drawn()
    {
        // ScottPlot 5.1.59 draws nothing for a one-column heatmap once Extent/CellWidth is set; the default placement works.
        var path = _temp.File("single");
        var mask = new long[12, 10];
        for (int layer = 0; layer < 12; layer++)
            for (int unit = 0; unit < layer % 4; unit++) mask[layer, unit] = 1;

        Save(MaskPlots.Heatmap([("gpt2", mask)]), path);

        using var png = SKBitmap.Decode(path + ".png");
        Assert.Equal((600, 900), (png.Width, png.Height));
        Assert.True(CountPixels(png, ViridisMax) > 1000, "no cell in viridis yellow");
        Assert.True(CountPixels(png, ViridisMin) > 1000, "no cell in viridis purple");
        var texts = XDocument.Load(path + ".svg").Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim());
        Assert.Equal(["0.0 %", "10.0 %", "20.0 %", "30.0 %"], texts.Where(t => t.EndsWith(" %")).Distinct().Order());
    }

    [Fact]
    public void This_machine_has_a_font_so_the_annotation_tests_above_are_meaningful() =>
        Assert.True(MaskPlots.CanRenderText, "no system font: install fonts-dejavu-core");

    [Fact]
    public void Heatmap_of_no_masks_is_a_usage_error()
    {
        var e = Assert.Throws<LlmLocException>(() => MaskPlots.Heatmap([]));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }

    [Fact]
    public void THistogram_writes_png_and_svg_with_the_threshold_line_label()
    {
        var path = Path.Combine(_temp.Path, "sub", "t");
        var random = new Random(7);
        var t = Enumerable.Range(0, 500).Select(_ => random.NextDouble() * 10 - 5).Append(double.NaN).ToArray();

        Save(MaskPlots.THistogram(t, 3.25), path);

        using var png = SKBitmap.Decode(path + ".png");
        Assert.Equal((900, 600), (png.Width, png.Height));
        Assert.True(DistinctColors(png) > 10, "the PNG looks blank");
        var texts = XDocument.Load(path + ".svg").Descendants().Where(e => e.Name.LocalName == "text")
            .Select(e => e.Value.Trim()).ToList();
        Assert.Contains($"threshold t = 3.250 ({t.Count(v => v >= 3.25)} units at or above)", texts);
        Assert.Contains("t-values of 500 units (1 NaN/inf left out)", texts);
        Assert.Contains("t-value", texts);
    }

    [Fact]
    public void THistogram_says_1_unit_and_names_the_model()
    {
        var path = _temp.File("one");
        Save(MaskPlots.THistogram([1, 2, 3, 4, 5], 5, "gpt2, language", dpi: 100), path);
        using var png = SKBitmap.Decode(path + ".png");
        Assert.Equal((600, 400), (png.Width, png.Height));
        var texts = XDocument.Load(path + ".svg").Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToList();
        Assert.Contains("threshold t = 5.000 (1 unit at or above)", texts);
        Assert.Contains("gpt2, language: t-values of 5 units", texts);
    }

    [Fact]
    public void THistogram_without_finite_values_is_an_input_error()
    {
        var e = Assert.Throws<LlmLocException>(() => MaskPlots.THistogram([double.NaN], null));
        Assert.Equal(ExitCodes.InputError, e.ExitCode);
    }

    static readonly SKColor ViridisMax = new(253, 231, 37), ViridisMin = new(68, 1, 84);

    /// <summary>Pixels within a small tolerance of a colour (colormap lookups may round by a step).</summary>
    static int CountPixels(SKBitmap bitmap, SKColor color)
    {
        int count = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var p = bitmap.GetPixel(x, y);
                if (Math.Abs(p.Red - color.Red) <= 6 && Math.Abs(p.Green - color.Green) <= 6 && Math.Abs(p.Blue - color.Blue) <= 6) count++;
            }
        return count;
    }

    static int DistinctColors(SKBitmap bitmap)
    {
        var colors = new HashSet<uint>();
        for (int y = 0; y < bitmap.Height; y += 2)
            for (int x = 0; x < bitmap.Width; x += 2)
                colors.Add((uint)bitmap.GetPixel(x, y));
        return colors.Count;
    }
}
