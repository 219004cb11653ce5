namespace LlmLoc.Plotting;

/// <summary>Per-layer share of selected units, the numbers behind the mask heatmap.</summary>
public static class LayerSelection
{
    /// <summary>
    /// [layer, mask] = 100 * sum(mask[layer, :]) / units per layer (plot.py's value; its hidden_dim is the mask's row
    /// length). Layers past a mask's own count are NaN, so masks of models with different depths share one table.
    /// </summary>
    public static double[,] Percentages(IReadOnlyList<long[,]> masks)
    {
        var layers = masks.Count == 0 ? 0 : masks.Max(m => m.GetLength(0));
        var table = new double[layers, masks.Count];
        for (int column = 0; column < masks.Count; column++)
        {
            var mask = masks[column];
            int rows = mask.GetLength(0), units = mask.GetLength(1);
            for (int layer = 0; layer < layers; layer++)
            {
                if (layer >= rows || units == 0) { table[layer, column] = layer >= rows ? double.NaN : 0; continue; }
                long selected = 0;
                for (int unit = 0; unit < units; unit++) selected += mask[layer, unit];
                table[layer, column] = 100.0 * selected / units;
            }
        }
        return table;
    }
}
