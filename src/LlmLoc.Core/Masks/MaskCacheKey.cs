using LlmLoc.IO;
using LlmLoc.Models;
using System.Globalization;
using System.Text.RegularExpressions;

namespace LlmLoc.Masks;

/// <summary>
/// The cache file names of localize.py: every option that changes the mask is in the mask's name; the FDR p-values
/// depend only on model, network and pooling (so every range/percentage of one network+pooling shares one file).
/// llmloc's unit site follows the pooling as <c>_site=mlp</c>, only when it is not the original's block output
/// (<see cref="UnitSiteNames.NameToken"/>), so the original's names stay byte-identical.
/// </summary>
public sealed partial record MaskCacheKey(
    string ModelId, string Network, string Pooling, string Range, double? Percentage, long? NumUnits, bool Pretrained,
    UnitSite Site = UnitSite.Residual)
{
    /// <summary>The original's model id: <c>os.path.basename(model_name)</c> ("meta-llama/Llama-3.2-1B" → "Llama-3.2-1B").</summary>
    public static string ModelIdOf(string modelName)
    {
        // os.path.basename of the system llmloc runs on (posixpath, or ntpath on Windows); a trailing separator gives
        // "" in Python, which would collide across models, so it is ignored.
        return Platform.PythonPaths.Basename(modelName, Platform.HostOs.Current);
    }

    public string MaskFileName =>
        $"{ModelId}_network={Network}_pooling={Pooling}{Site.NameToken()}_range={Range}_perc={PythonFormat.OptionalFloat(Percentage)}" +
        $"_nunits={PythonFormat.OptionalInt(NumUnits)}_pretrained={PythonFormat.Bool(Pretrained)}.npy";

    public string PValuesFileName =>
        $"{ModelId}_network={Network}_pooling={Pooling}{Site.NameToken()}_pretrained={PythonFormat.Bool(Pretrained)}_pvalues.npy";

    /// <summary>llmloc's addition: the Welch t-values beside the p-values (for plots and --stats-out); the original keeps none.</summary>
    public string TValuesFileName =>
        $"{ModelId}_network={Network}_pooling={Pooling}{Site.NameToken()}_pretrained={PythonFormat.Bool(Pretrained)}_tvalues.npy";

    /// <summary>localize.py's rule: <c>int(percentage/100 * hidden * layers)</c> when a percentage is given (it
    /// overrides --num-units), else --num-units; more units than the model has, or none, is a usage error.</summary>
    public long UnitsToSelect(int layers, int hidden)
    {
        long total = (long)layers * hidden;
        long units = Percentage is { } p ? Statistics.UnitSelection.NumUnitsFromPercentage(p, hidden, layers) : NumUnits!.Value;
        if (units > total)
            throw new LlmLocException($"--num-units {units} is larger than the model ({layers} layers × {hidden} units = {total}): give at most {total}", ExitCodes.Usage);
        if (units < 1)
            throw new LlmLocException($"--percentage {PythonFormat.OptionalFloat(Percentage)} selects no unit of {total}: give a larger percentage or --num-units", ExitCodes.Usage);
        return units;
    }

    /// <summary>The key a localize cache mask name spells, or null for any other file name.</summary>
    public static MaskCacheKey? TryParse(string fileName)
    {
        var m = MaskName().Match(Path.GetFileName(fileName));
        if (!m.Success) return null;
        double? percentage = m.Groups["perc"].Value == "None" ? null
            : double.TryParse(m.Groups["perc"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) ? p : double.NaN;
        long? numUnits = m.Groups["nunits"].Value == "None" ? null
            : long.TryParse(m.Groups["nunits"].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : -1;
        if (percentage is double.NaN || numUnits is -1) return null;
        return new MaskCacheKey(m.Groups["model"].Value, m.Groups["network"].Value, m.Groups["pooling"].Value, m.Groups["range"].Value,
            percentage, numUnits, m.Groups["pretrained"].Value == "True", m.Groups["site"].Success ? UnitSiteNames.Parse(m.Groups["site"].Value) : UnitSite.Residual);
    }

    // Only a site other than the default is ever named (_site=mlp).
    [GeneratedRegex(@"^(?<model>.+)_network=(?<network>[a-z0-9-]+)_pooling=(?<pooling>[a-z-]+)(?:_site=(?<site>mlp))?_range=(?<range>[0-9.]+-[0-9.]+)" +
        @"_perc=(?<perc>[^_]+)_nunits=(?<nunits>[^_]+)_pretrained=(?<pretrained>True|False)\.npy$")]
    private static partial Regex MaskName();
}
