using MathNet.Numerics;

namespace LlmLoc.Statistics;

/// <summary>Tail probabilities of Student's t distribution with real (Welch) degrees of freedom.</summary>
public static class StudentT
{
    /// <summary>
    /// Two-sided p-value 2·P(T ≤ −|t|), as scipy's <c>2 * stdtr(df, -abs(t))</c>: NaN for NaN input, 0 for infinite t,
    /// 1 for t = 0. It equals I_x(df/2, 1/2) = 1 − I_y(1/2, df/2) with x = df / (df + t²), y = t² / (df + t²).
    /// </summary>
    public static double TwoSidedP(double t, double df)
    {
        if (double.IsNaN(t) || double.IsNaN(df) || df <= 0)
            return double.NaN;
        if (double.IsInfinity(t))
            return 0.0;
        double p = 2.0 * MathNet.Numerics.Distributions.StudentT.CDF(0.0, 1.0, df, -Math.Abs(t));
        if (p < 0.5 || double.IsPositiveInfinity(df))
            return p;
        // Near p = 1 (|t| ≪ 1) the first form loses digits to 1 − x inside the beta function (up to 4e-11 relative
        // at df = 1000); the complement, given y directly, keeps them.
        double tt = t * t;
        return 1.0 - SpecialFunctions.BetaRegularized(0.5, 0.5 * df, tt / (df + tt));
    }
}
