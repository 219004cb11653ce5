using System.Globalization;

namespace LlmLoc.Masks;

/// <summary>
/// <c>--localize-range</c>: "100-100" = top units by t, "0-0" = bottom units, "x-y" with x &lt; y = a seeded random
/// draw among units whose t lies between the x-th and y-th percentiles. The text is kept as given for file names.
/// </summary>
public sealed record LocalizeRange(string Text, double Low, double High)
{
    /// <summary>The default, <see cref="Defaults.Range"/>: the top units by t.</summary>
    public static LocalizeRange Top { get; } = Parse(Defaults.Range);

    public bool IsTop => Low == 100 && High == 100;
    public bool IsBottom => Low == 0 && High == 0;
    public bool IsRandomRange => !IsTop && !IsBottom;

    public static LocalizeRange Parse(string text)
    {
        string hint = "write it as LOW-HIGH percentiles, e.g. 100-100 (top units), 0-0 (bottom units) or 80-90 (random units in that range)";
        string[] parts = text.Split('-');
        if (parts.Length != 2
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double low)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double high))
            throw new LlmLocException($"malformed --localize-range '{text}': {hint}", ExitCodes.Usage);
        if (low is < 0 or > 100 || high is < 0 or > 100)
            throw new LlmLocException($"--localize-range '{text}' is outside 0-100: {hint}", ExitCodes.Usage);
        if (low > high)
            throw new LlmLocException($"--localize-range '{text}' is inverted (LOW > HIGH): write {parts[1]}-{parts[0]}", ExitCodes.Usage);
        return new LocalizeRange(text, low, high);
    }
}
