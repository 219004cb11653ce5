using LlmLoc.Numerics;

namespace LlmLoc.Masks;

/// <summary>A unit mask [layers × hidden] of 0/1 (int64 in .npy, as localize.py writes it).</summary>
public sealed class UnitMask
{
    public int Layers { get; }
    public int Hidden { get; }
    public long[] Values { get; }
    public string Source { get; }
    /// <summary>Which units the mask covers (its columns): the block outputs, or the MLP site (not stored in the .npy;
    /// set from --site).</summary>
    public Models.UnitSite Site { get; init; } = Models.UnitSite.Residual;

    public UnitMask(long[] values, int layers, int hidden, string source = "<memory>")
    {
        if (values.Length != (long)layers * hidden) throw new ArgumentException("mask length does not fit its shape");
        (Values, Layers, Hidden, Source) = (values, layers, hidden, source);
    }

    public long this[int layer, int unit] => Values[(long)layer * Hidden + unit];
    public long Count => Values.Count(v => v != 0);

    /// <summary>The selected units' flat indices (layer × hidden + unit), ascending: the mask's C order.</summary>
    public int[] SelectedIndices() => Enumerable.Range(0, Values.Length).Where(i => Values[i] != 0).ToArray();

    /// <param name="site">The units the mask's columns are (from --site: the .npy does not say).</param>
    public static UnitMask Load(string path, Models.UnitSite site = Models.UnitSite.Residual)
    {
        var array = Npy.Read(path);
        if (array.Shape.Length != 2)
            throw new LlmLocException($"mask {path} has shape ({string.Join(", ", array.Shape)}): a mask is a 2-D layers × hidden array as `llmloc localize` writes it");
        // Through double, so 0.5, NaN or 1.7 are refused rather than truncated to 0 or 1 (0/1 are exact in every dtype).
        double[] values = array.ToDoubles();
        int bad = Array.FindIndex(values, v => v is not (0.0 or 1.0));
        if (bad >= 0)
            throw new LlmLocException($"mask {path} holds {values[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)} at layer {bad / Math.Max(1, array.Shape[1])}, unit {bad % Math.Max(1, array.Shape[1])}: " +
                "a mask holds only 0 and 1 (int, bool or float 0.0/1.0) as `llmloc localize` writes it");
        return new UnitMask(values.Select(v => (long)v).ToArray(), array.Shape[0], array.Shape[1], path) { Site = site };
    }

    public void EnsureFits(int layers, int hidden)
    {
        if (Layers != layers || Hidden != hidden)
            throw new LlmLocException(
                $"mask {Source} has shape ({Layers}, {Hidden}) but the model has {layers} layers × {hidden} {Models.UnitSiteNames.UnitsNoun(Site)}" +
                (Site == Models.UnitSite.Residual ? "" : $" (--site {Models.UnitSiteNames.ToFlag(Site)})") +
                ": use the mask localized for this model (same --model-name and --site)");
    }

    public void Save(string path) => Npy.Write(path, Values, Layers, Hidden);
}
