using Xunit.Sdk;

namespace LlmLoc.Tests.Statistics;

/// <summary>Elementwise comparison with a relative tolerance; NaN equals NaN and infinities must match exactly.</summary>
static class Tolerance
{
    public static void AssertClose(double[] expected, double[] actual, double rtol = 1e-10, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            bool ok = double.IsNaN(e) ? double.IsNaN(a)
                : double.IsInfinity(e) ? e == a
                : Math.Abs(a - e) <= rtol * Math.Abs(e);
            if (!ok)
                throw new XunitException($"{what}[{i}]: expected {e:R}, got {a:R} (rel. error {Math.Abs(a - e) / Math.Abs(e):E2})");
        }
    }
}
