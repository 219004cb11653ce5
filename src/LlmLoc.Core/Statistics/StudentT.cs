using MathNet.Numerics;

namespace LlmLoc.Statistics;

/// <summary>Tail probabilities of Student's t distribution with real (Welch) degrees of freedom.</summary>
public static class StudentT
{
    /// <summary>
    /// Two-sided p-value 2·P(T ≤ −|t|), as scipy's <c>2 * stdtr(df, -abs(t))</c>: NaN for NaN input, 0 for infinite t,
    /// 1 for t = 0. Uses 2·P(T ≤ −|t|) = I_x(df/2, 1/2) with x = df / (df + t²).
    /// </summary>
    public static double TwoSidedP(double t, double df)
    {
        if (double.IsNaN(t) || double.IsNaN(df) || df <= 0)
            return double.NaN;
        if (double.IsInfinity(t))
            return 0.0;
        if (t == 0)
            return 1.0;
        double tt = t * t;
        if (double.IsInfinity(tt))
            return 0.0;
        if (double.IsPositiveInfinity(df))
            return 2.0 * MathNet.Numerics.Distributions.Normal.CDF(0, 1, -Math.Abs(t));
        double sum = df + tt;
        // Both x and its complement y are formed directly so neither loses digits to 1 - x.
        return RegularizedBeta(0.5 * df, 0.5, df / sum, tt / sum);
    }

    /// <summary>Regularized incomplete beta I_x(a, b) for x + y = 1, by the continued fraction on the convergent side.</summary>
    internal static double RegularizedBeta(double a, double b, double x, double y)
    {
        if (x <= 0) return 0.0;
        if (y <= 0) return 1.0;
        double logFront = SpecialFunctions.GammaLn(a + b) - SpecialFunctions.GammaLn(a) - SpecialFunctions.GammaLn(b)
                          + a * Math.Log(x) + b * Math.Log(y);
        double front = Math.Exp(logFront);
        if (x < (a + 1.0) / (a + b + 2.0))
            return front * ContinuedFraction(a, b, x) / a;
        return 1.0 - front * ContinuedFraction(b, a, y) / b;
    }

    /// <summary>Modified Lentz evaluation of the incomplete-beta continued fraction.</summary>
    static double ContinuedFraction(double a, double b, double x)
    {
        const double tiny = 1e-300;
        const double tolerance = 1e-16;
        double sumAB = a + b, aPlus1 = a + 1.0, aMinus1 = a - 1.0;
        double c = 1.0;
        double d = 1.0 - sumAB * x / aPlus1;
        if (Math.Abs(d) < tiny) d = tiny;
        d = 1.0 / d;
        double h = d;
        for (int m = 1; m <= 10000; m++)
        {
            int m2 = 2 * m;
            double coefficient = m * (b - m) * x / ((aMinus1 + m2) * (a + m2));
            d = 1.0 + coefficient * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = 1.0 + coefficient / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1.0 / d;
            h *= d * c;

            coefficient = -(a + m) * (sumAB + m) * x / ((a + m2) * (aPlus1 + m2));
            d = 1.0 + coefficient * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = 1.0 + coefficient / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1.0 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1.0) < tolerance)
                break;
        }
        return h;
    }
}
