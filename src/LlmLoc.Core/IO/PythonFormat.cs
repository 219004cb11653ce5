using System.Globalization;

namespace LlmLoc.IO;

/// <summary>Formats values the way Python's f-strings do, so cache file names match the original's.</summary>
public static class PythonFormat
{
    /// <summary>Python's repr/str of a float: shortest round-trip digits, ".0" for integral values,
    /// scientific notation when the exponent is below -4 or at least 16 ("1e-05", "1e+16").</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsPositiveInfinity(value)) return "inf";
        if (double.IsNegativeInfinity(value)) return "-inf";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";

        // "E16" round-trip digits; then lay them out as Python does.
        string r = value.ToString("R", CultureInfo.InvariantCulture);
        string sign = value < 0 ? "-" : "";
        string digits;
        int exponent; // decimal exponent of the first digit
        string mantissa = r.TrimStart('-');
        int e = mantissa.IndexOfAny(['E', 'e']);
        int exp10 = 0;
        if (e >= 0)
        {
            exp10 = int.Parse(mantissa[(e + 1)..], CultureInfo.InvariantCulture);
            mantissa = mantissa[..e];
        }
        int dot = mantissa.IndexOf('.');
        string intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        string fracPart = dot >= 0 ? mantissa[(dot + 1)..] : "";
        string all = (intPart + fracPart).TrimStart('0');
        int leadingZeros = (intPart + fracPart).Length - (intPart + fracPart).TrimStart('0').Length;
        exponent = intPart.Length - 1 - leadingZeros + exp10;
        digits = all.TrimEnd('0');
        if (digits.Length == 0) digits = "0";

        if (exponent < -4 || exponent >= 16)
        {
            string m = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            return $"{sign}{m}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):00}";
        }
        if (exponent < 0)
            return sign + "0." + new string('0', -exponent - 1) + digits;
        if (digits.Length <= exponent + 1)
            return sign + digits + new string('0', exponent + 1 - digits.Length) + ".0";
        return sign + digits[..(exponent + 1)] + "." + digits[(exponent + 1)..];
    }

    /// <summary>Python's str of an optional float ("None" when absent).</summary>
    public static string OptionalFloat(double? value) => value is { } v ? Float(v) : "None";

    /// <summary>Python's str of an optional int ("None" when absent).</summary>
    public static string OptionalInt(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "None";

    public static string Bool(bool value) => value ? "True" : "False";
}
