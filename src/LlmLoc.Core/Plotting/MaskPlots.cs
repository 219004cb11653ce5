using System.Text;
using LlmLoc.IO;
using ScottPlot;
using ScottPlot.Plottables;

namespace LlmLoc.Plotting;

/// <summary>
/// Figures of localizer results, each rendered as a PNG and an SVG (<see cref="Figure"/>): the per-layer share of selected units
/// (the original's plot.py heatmap) and the distribution of t-values with the selection threshold.
/// </summary>
public static class MaskPlots
{
    /// <summary>
    /// False when SkiaSharp finds no system font: figures are then still written, but without any text (PNG and
    /// SVG alike), so callers should warn ("install a font, e.g. fonts-dejavu-core").
    /// </summary>
    public static bool CanRenderText => SkiaSharp.SKTypeface.Default.GlyphCount > 0;

    /// <summary>Print resolution: a 4 × 6-inch heatmap (the original's figure size) is 600 × 900 px.</summary>
    public const int DefaultDpi = 150;

    /// <summary>The largest image the renderer is asked for (a side, and 1 GB of RGBA pixels): larger, e.g. a mask with
    /// tens of thousands of layers, fails inside the image library, so it is refused up front.</summary>
    public const int MaxPixels = 32767;
    const double MaxArea = 1 << 28;

    static void CheckImageSize(double widthInches, double heightInches, int dpi, string what)
    {
        double width = widthInches * dpi, height = heightInches * dpi;
        if (width > MaxPixels || height > MaxPixels || width * height > MaxArea)
            throw new LlmLocException(
                $"a heatmap of {what} would be {width:0} × {height:0} pixels at {dpi} dpi, more than an image may have ({MaxPixels} per side, {MaxArea:0} in all): " +
                "plot fewer masks at once or give a smaller --dpi (a mask with thousands of layers is likely not a layer × unit mask)",
                ExitCodes.InputError);
    }

    /// <summary>
    /// Rows = layers (1 at the top), one column per mask: 100 * (selected units in the layer) / (units per layer),
    /// annotated "x.y %" as plot.py does, viridis colours, a colour bar. Masks with fewer layers leave blank cells.
    /// </summary>
    /// <param name="masks">Label (column title) and mask [layers, units per layer] of 0/1 values.</param>
    /// <param name="units">What a layer's units are ("units", "MLP units"), for the colour bar's label.</param>
    public static Figure Heatmap(IReadOnlyList<(string label, long[,] mask)> masks, string? title = null, int dpi = DefaultDpi, string units = "units")
    {
        if (masks.Count == 0)
            throw new LlmLocException("no masks to plot; pass at least one mask file", ExitCodes.Usage);
        var percentages = LayerSelection.Percentages(masks.Select(m => m.mask).ToList());
        int layers = percentages.GetLength(0), columns = percentages.GetLength(1);

        // 4 × 6 inches for one column (plot.py's figure), wider by 0.8 inch per further column, taller for deep models.
        double widthInches = 4 + 0.8 * (columns - 1), heightInches = Math.Max(6, 1.5 + 0.2 * layers);
        CheckImageSize(widthInches, heightInches, dpi, $"{layers} layers × {columns} column(s)");

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(percentages);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        // Default placement: cell (row r, column c) centred on (c, rows - 1 - r), so layer 1 is the top row as in
        // seaborn. (Setting Extent or CellWidth breaks single-column heatmaps in ScottPlot 5.1.59: infinite width.)
        heatmap.NaNCellColor = Colors.Transparent;
        heatmap.RenderStrategy = new ScottPlot.Plottables.Heatmap.RenderStrategies.Rectangles(); // crisp cells in SVG too
        if (PercentRange(percentages) is { } range) heatmap.ManualRange = range;

        for (int layer = 0; layer < layers; layer++)
            for (int column = 0; column < columns; column++)
            {
                var value = percentages[layer, column];
                if (double.IsNaN(value)) continue;
                var text = plot.Add.Text($"{value:F1} %", column, layers - 1 - layer);
                text.Alignment = Alignment.MiddleCenter;
                text.LabelFontSize = 11;
                text.LabelFontColor = ContrastingTextColor(heatmap, value);
            }

        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = $"% of {units} selected";
        // Few ticks, so the numbers stay clear of the bar's label.
        colorBar.Axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { TargetTickCount = 10 };

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, columns).Select(c => (double)c)], [.. masks.Select(m => m.label)]);
        if (columns > 1 && masks.Max(m => m.label.Length) > 8)
        {
            // Long model names side by side would overlap: tilt them.
            plot.Axes.Bottom.TickLabelStyle.Rotation = -35;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 16 + 4.5f * Math.Min(40, masks.Max(m => m.label.Length));
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, layers).Select(l => (double)(layers - 1 - l))], [.. Enumerable.Range(1, layers).Select(l => l.ToString())]);
        plot.Axes.Left.Label.Text = "layer";
        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, layers - 0.5);
        plot.HideGrid();
        if (!string.IsNullOrEmpty(title)) plot.Title(title);

        return Render(plot, widthInches, heightInches, dpi);
    }

    /// <summary>
    /// Histogram of the finite t-values (NaN/inf from constant units are left out and counted in the title), with a
    /// dashed vertical line at the selection threshold when one is given.
    /// </summary>
    public static Figure THistogram(double[] tValues, double? threshold, string? title = null, int dpi = DefaultDpi)
    {
        var finite = tValues.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
            throw new LlmLocException("no finite t-values to plot; check the t-value file (all NaN or infinite)", ExitCodes.InputError);

        var plot = new Plot();
        double min = finite.Min(), max = finite.Max();
        if (min == max) { min -= 0.5; max += 0.5; }
        var bins = Math.Clamp((int)Math.Ceiling(Math.Sqrt(finite.Length)), 10, 100);
        var histogram = ScottPlot.Statistics.Histogram.WithBinCount(bins, min, max);
        histogram.IncludeOutliers = true; // the maximum sits on the last edge
        histogram.AddRange(finite);
        var bars = plot.Add.Histogram(histogram);
        foreach (var bar in bars.Bars) bar.FillColor = Colors.SteelBlue;

        if (threshold is { } t)
        {
            var line = plot.Add.VerticalLine(t, 2, Colors.OrangeRed, LinePattern.Dashed);
            // In the legend, not on the line: a label at the plot's edge gets clipped.
            line.LegendText = $"threshold t = {t:F3} ({Units(finite.Count(v => v >= t))} at or above)";
            plot.ShowLegend(Alignment.UpperLeft);
        }

        var left = tValues.Length - finite.Length;
        string what = left > 0 ? $"t-values of {Units(finite.Length)} ({left} NaN/inf left out)" : $"t-values of {Units(finite.Length)}";
        plot.Title(title is null ? what : $"{title}: {what}");
        plot.Axes.Bottom.Label.Text = "t-value";
        plot.Axes.Left.Label.Text = "units";
        plot.Axes.Margins(bottom: 0);
        return Render(plot, 6, 4, dpi);
    }

    static string Units(int n) => n == 1 ? "1 unit" : $"{n} units";

    /// <summary>Colour range min..max of the finite cells, as seaborn sets it; a flat table gets a unit-wide range.</summary>
    static ScottPlot.Range? PercentRange(double[,] values)
    {
        var finite = values.Cast<double>().Where(double.IsFinite).ToList();
        if (finite.Count == 0) return null;
        double lo = finite.Min(), hi = finite.Max();
        return lo == hi ? new ScottPlot.Range(lo - 0.5, hi + 0.5) : new ScottPlot.Range(lo, hi);
    }

    /// <summary>Black on light cells, white on dark ones (seaborn's annotation rule, by relative luminance).</summary>
    static Color ContrastingTextColor(ScottPlot.Plottables.Heatmap heatmap, double value)
    {
        var range = heatmap.ManualRange ?? new ScottPlot.Range(value, value + 1);
        var fraction = range.Max == range.Min ? 0 : (value - range.Min) / (range.Max - range.Min);
        var cell = heatmap.Colormap.GetColor(Math.Clamp(fraction, 0, 1));
        double luminance = 0.2126 * Linear(cell.R) + 0.7152 * Linear(cell.G) + 0.0722 * Linear(cell.B);
        return luminance > 0.408 ? Colors.Black : Colors.White;

        static double Linear(byte channel)
        {
            var c = channel / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
    }

    /// <summary>The PNG at <paramref name="dpi"/> and the SVG, both of the given size in inches (text and lines scale
    /// with the dpi, so every resolution gives the same figure).</summary>
    static Figure Render(Plot plot, double widthInches, double heightInches, int dpi)
    {
        const int screenDpi = 96;
        plot.ScaleFactor = dpi / (double)screenDpi;
        byte[] png = plot.GetImageBytes((int)Math.Round(widthInches * dpi), (int)Math.Round(heightInches * dpi), ImageFormat.Png);
        plot.ScaleFactor = 1;
        string svg = plot.GetSvgXml((int)Math.Round(widthInches * screenDpi), (int)Math.Round(heightInches * screenDpi));
        return new Figure(png, svg);
    }
}

/// <summary>A rendered figure: PNG bytes and SVG text.</summary>
public sealed record Figure(byte[] Png, string Svg)
{
    /// <summary>Stages &lt;path&gt;.png and &lt;path&gt;.svg in <paramref name="outputs"/>; they appear when it commits.</summary>
    public void AddTo(OutputSet outputs, string pathWithoutExtension)
    {
        outputs.Add(pathWithoutExtension + ".png", Png);
        outputs.Add(pathWithoutExtension + ".svg", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(Svg));
    }
}
