using LlmLoc.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace LlmLoc.BrainAlignment;

/// <summary><c>--method</c>: how responses are regressed on activations in each training fold.</summary>
public enum RegressionMethod
{
    /// <summary>Ordinary least squares with intercept, minimum-norm solution with a relative singular-value cutoff.</summary>
    Linear,
    /// <summary>Ridge with unpenalized intercept, alpha chosen by exact leave-one-out error (scikit-learn's RidgeCV).</summary>
    Ridge,
}

/// <summary>One held-out fold: its items, the chosen alpha (ridge), Pearson r per response column, their median.</summary>
public sealed record FoldScore(int Fold, double? Alpha, double[] R, double Median, int NanColumns);

/// <summary>All folds (or splits) of one cross-validated fit; <see cref="Predictions"/> holds every item predicted from
/// the fold that held it out (K-fold only: under shuffle splits an item may be tested several times or never).</summary>
public sealed record PredictivityScore(IReadOnlyList<FoldScore> Folds, Matrix<double>? Predictions)
{
    /// <summary>Mean over folds of the per-fold median r (folds whose median is NaN are left out and counted).</summary>
    public double Score => Folds.Where(f => !double.IsNaN(f.Median)).Select(f => f.Median).DefaultIfEmpty(double.NaN).Average();
    /// <summary>Sample standard deviation (ddof 1) of the finite per-fold medians; NaN with fewer than two.</summary>
    public double FoldSd => MathNet.Numerics.Statistics.Statistics.StandardDeviation(Folds.Select(f => f.Median).Where(m => !double.IsNaN(m)));
    /// <summary>Brain-Score's spread (<c>Split.aggregate</c>, <c>standard_error_of_the_mean</c>): xarray's std over
    /// splits (ddof 0, NaN medians skipped) divided by √(number of splits, NaN ones included).</summary>
    public double BrainScoreError => MathNet.Numerics.Statistics.Statistics.PopulationStandardDeviation(
        Folds.Select(f => f.Median).Where(m => !double.IsNaN(m))) / Math.Sqrt(Folds.Count);
    public int NanFolds => Folds.Count(f => double.IsNaN(f.Median));
}

/// <summary>
/// Cross-validated linear predictivity, the brain-alignment metric of Brain-Score language (e.g. Pereira 2018):
/// regress responses Y [n × v] on activations X [n × d] in each training fold, predict the held-out fold, Pearson r per
/// response column, median over columns per fold, mean over folds. Folds and ridge follow scikit-learn 1.2
/// (<c>KFold(shuffle=True)</c>, <c>RidgeCV</c>); checked against <c>shared/fixtures/align</c>.
/// </summary>
public static class LinearPredictivity
{
    /// <summary>numpy.logspace(-3, 3, 7), the ridge grid (numpy's 1e-1 comes out one ulp lower, 0.09999999999999999; the
    /// fixture tests pass numpy's exact values, and the choices agree).</summary>
    public static readonly double[] DefaultAlphas = [1e-3, 1e-2, 1e-1, 1, 1e1, 1e2, 1e3];

    /// <summary>Singular values up to this × the largest are treated as zero in least squares (the minimum-norm solution).</summary>
    public const double SingularValueCutoff = 1e-10;

    /// <summary>scipy.linalg.lstsq's default cutoff, float64 machine epsilon (<c>np.finfo(float).eps</c>), which scikit-learn's
    /// <c>LinearRegression</c> uses before 1.6 (1.6 and later pass max(n, d) × eps).</summary>
    public const double ScipyLstsqCutoff = 2.220446049250313e-16;

    /// <summary>
    /// scikit-learn's <c>KFold(n_splits=folds, shuffle=True, random_state=seed)</c> test sets: numpy's legacy
    /// <c>RandomState(seed).shuffle(arange(n))</c>, consecutive slices (the first n % folds one longer), each sorted.
    /// </summary>
    public static int[][] KFoldTestSets(int n, int folds, uint seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        if (n < folds)
            throw new LlmLocException($"{n} items cannot be split into {folds} folds: give --folds {Math.Max(2, n)} or fewer, or more items");
        long[] order = new NumpyLegacyRandom(seed).Permutation(n);
        var result = new int[folds][];
        int start = 0;
        for (int f = 0; f < folds; f++)
        {
            int size = n / folds + (f < n % folds ? 1 : 0);
            result[f] = order.Skip(start).Take(size).Select(i => (int)i).Order().ToArray();
            start += size;
        }
        return result;
    }

    /// <summary>K-fold cross-validation over the given disjoint test folds (train = every other item, ascending).</summary>
    public static PredictivityScore CrossValidate(Matrix<double> x, Matrix<double> y, int[][] testSets, RegressionMethod method, double[]? alphas = null)
    {
        int n = x.RowCount;
        return CrossValidate(x, y, testSets.Select(test => new DataSplit(Enumerable.Range(0, n).Except(test).ToArray(), test)).ToArray(), method, alphas);
    }

    /// <summary>
    /// Fits on each split's training rows (ascending, as Brain-Score sorts them by stimulus id before fitting), predicts its
    /// test rows, Pearson r per response column. X (linear only: ridge's alphas depend on its scale) and Y are first
    /// scaled by a power of two, which changes no bit of r or of the chosen alphas but keeps responses near the float
    /// limit from overflowing; a fit that still overflows is an error, never a NaN score.
    /// </summary>
    public static PredictivityScore CrossValidate(Matrix<double> x, Matrix<double> y, IReadOnlyList<DataSplit> splits, RegressionMethod method,
        double[]? alphas = null, double cutoff = SingularValueCutoff)
    {
        if (x.RowCount != y.RowCount)
            throw new LlmLocException($"activations have {x.RowCount} rows but responses have {y.RowCount}: give one response row per extracted item, in the same order");
        alphas ??= DefaultAlphas;
        int n = x.RowCount;
        int yExponent = PowerOfTwoExponent(y), xExponent = method == RegressionMethod.Linear ? PowerOfTwoExponent(x) : 0;
        x = xExponent == 0 ? x : x.Map(v => Math.ScaleB(v, -xExponent));
        y = yExponent == 0 ? y : y.Map(v => Math.ScaleB(v, -yExponent));

        var tested = new int[n];
        foreach (var split in splits) foreach (int i in split.Test) tested[i]++;
        var predictions = tested.All(t => t == 1) ? Matrix<double>.Build.Dense(n, y.ColumnCount) : null;
        var folds = new List<FoldScore>();
        for (int f = 0; f < splits.Count; f++)
        {
            int[] test = splits[f].Test, train = splits[f].Train.Order().ToArray();
            Matrix<double> predicted;
            double? alpha;
            try
            {
                (predicted, alpha) = FitPredict(Rows(x, train), Rows(y, train), Rows(x, test), method, alphas, cutoff);
            }
            catch (MathNet.Numerics.NonConvergenceException)
            {
                predicted = Matrix<double>.Build.Dense(1, 1, double.NaN); // an SVD of overflowed values
                alpha = null;
            }
            if (predicted.Enumerate().Any(v => !double.IsFinite(v)))
                throw new LlmLocException($"the {(method == RegressionMethod.Linear ? "least-squares" : "ridge")} fit of split {f} overflowed (activations up to {x.Enumerate().Max(Math.Abs) * Math.ScaleB(1, xExponent):G3}): rescale the activations");
            if (predictions is not null)
                for (int i = 0; i < test.Length; i++) predictions.SetRow(test[i], predicted.Row(i) * Math.ScaleB(1, yExponent));

            var yTest = Rows(y, test);
            double[] r = Enumerable.Range(0, y.ColumnCount).Select(c => Pearson(predicted.Column(c), yTest.Column(c))).ToArray();
            folds.Add(new FoldScore(f, alpha, r, NanMedian(r), r.Count(double.IsNaN)));
        }
        return new PredictivityScore(folds, predictions);
    }

    /// <summary>The exponent e with max|m| in [2^e, 2^(e+1)) (0 for an all-zero matrix): dividing by 2^e is exact.</summary>
    static int PowerOfTwoExponent(Matrix<double> m)
    {
        double max = m.Enumerate().Max(Math.Abs);
        return max > 0 && double.IsFinite(max) ? Math.ILogB(max) : 0;
    }

    /// <summary>Fits on one training fold (X and Y centred on it: the intercept is never penalized) and predicts the test rows.</summary>
    public static (Matrix<double> Predictions, double? Alpha) FitPredict(
        Matrix<double> xTrain, Matrix<double> yTrain, Matrix<double> xTest, RegressionMethod method, IReadOnlyList<double> alphas,
        double cutoff = SingularValueCutoff)
    {
        var xMean = ColumnMeans(xTrain);
        var yMean = ColumnMeans(yTrain);
        var xc = Centre(xTrain, xMean);
        var yc = Centre(yTrain, yMean);
        var (u, s, v) = ThinSvd(xc);
        var uty = u.TransposeThisAndMultiply(yc);

        double? alpha = null;
        Vector<double> gain; // coefficients = V diag(gain) Uᵀ Yc
        if (method == RegressionMethod.Linear)
        {
            double threshold = cutoff * s.Maximum();
            gain = s.Map(sv => sv > threshold ? 1 / sv : 0, MathNet.Numerics.LinearAlgebra.Zeros.Include);
        }
        else
        {
            alpha = ChooseAlpha(u, s, yc, uty, alphas);
            double a = alpha.Value;
            gain = s.Map(sv => sv / (sv * sv + a), MathNet.Numerics.LinearAlgebra.Zeros.Include);
        }
        var coefficients = v * (ScaleRows(uty, gain));
        var predictions = Centre(xTest, xMean) * coefficients;
        for (int i = 0; i < predictions.RowCount; i++) predictions.SetRow(i, predictions.Row(i) + yMean);
        return (predictions, alpha);
    }

    /// <summary>
    /// The alpha with the smallest mean squared exact leave-one-out residual over items and columns (the first wins a tie).
    /// For ridge with an unpenalized intercept the hat matrix is H = 11ᵀ/n + U diag(s²/(s²+α)) Uᵀ (Xc = U S Vᵀ), and
    /// the residual of item i fitted without it is rᵢ/(1 − hᵢᵢ). Both are computed from α/(s²+α), never as 1 − (1 − …),
    /// so near-interpolating fits (d > n, small α) keep their precision.
    /// </summary>
    static double ChooseAlpha(Matrix<double> u, Vector<double> s, Matrix<double> yc, Matrix<double> uty, IReadOnlyList<double> alphas)
    {
        int n = u.RowCount;
        var outside = yc - u * uty; // the part of Yc no fit can reach
        var u2 = u.PointwiseMultiply(u);
        var leverageLeft = u2.RowSums().Map(sum => 1 - 1.0 / n - sum);
        double best = double.PositiveInfinity, bestAlpha = alphas[0];
        foreach (double alpha in alphas)
        {
            var shrink = s.Map(sv => alpha / (sv * sv + alpha), MathNet.Numerics.LinearAlgebra.Zeros.Include);
            var residual = outside + u * ScaleRows(uty, shrink);
            var oneMinusH = leverageLeft + u2 * shrink;
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                double scale = 1 / oneMinusH[i];
                for (int c = 0; c < residual.ColumnCount; c++)
                {
                    double e = residual[i, c] * scale;
                    sum += e * e;
                }
            }
            double mse = sum / ((double)n * residual.ColumnCount);
            if (mse < best) (best, bestAlpha) = (mse, alpha);
        }
        return bestAlpha;
    }

    /// <summary>Xc = U diag(s) Vᵀ with r = min(n, d) columns: a thin QR of the longer side, then the SVD of the small
    /// r × r factor (MathNet's SVD would otherwise build the full d × d or n × n basis).</summary>
    static (Matrix<double> U, Vector<double> S, Matrix<double> V) ThinSvd(Matrix<double> xc)
    {
        if (xc.RowCount >= xc.ColumnCount)
        {
            var qr = xc.QR(QRMethod.Thin);
            var svd = qr.R.Svd(computeVectors: true);
            return (qr.Q * svd.U, svd.S, svd.VT.Transpose());
        }
        var qrT = xc.Transpose().QR(QRMethod.Thin); // Xcᵀ = Q R, so Xc = Rᵀ Qᵀ
        var small = qrT.R.Transpose().Svd(computeVectors: true);
        return (small.U, small.S, qrT.Q * small.VT.Transpose());
    }

    /// <summary>
    /// Pearson's r as scipy.stats.pearsonr (1.10): NaN when either side is constant; for two items the product of the
    /// signs of the differences; else the dot product of the centred vectors each divided by its norm, clipped to
    /// [-1, 1]. Norms are taken after dividing by the largest magnitude (as scipy.linalg.norm's scaled BLAS nrm2), so
    /// large values do not overflow; <see cref="CrossValidate(Matrix{double}, Matrix{double}, IReadOnlyList{DataSplit}, RegressionMethod, double[], double)"/>
    /// scales the responses first, so their sums cannot either.
    /// </summary>
    public static double Pearson(Vector<double> a, Vector<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException("Pearson r needs two vectors of the same length", nameof(b));
        if (a.Count < 2) throw new ArgumentException("Pearson r needs at least two values", nameof(a));
        if (IsConstant(a) || IsConstant(b)) return double.NaN;
        if (a.Count == 2) return Math.Sign(a[1] - a[0]) * Math.Sign(b[1] - b[0]);
        double[] ua = UnitCentred(a), ub = UnitCentred(b);
        double r = 0;
        for (int i = 0; i < ua.Length; i++) r += ua[i] * ub[i];
        return Math.Clamp(r, -1, 1);
    }

    /// <summary>(v − mean) / ‖v − mean‖.</summary>
    static double[] UnitCentred(Vector<double> v)
    {
        double mean = v.Sum() / v.Count;
        var centred = new double[v.Count];
        double largest = 0;
        for (int i = 0; i < v.Count; i++) largest = Math.Max(largest, Math.Abs(centred[i] = v[i] - mean));
        double sum = 0;
        foreach (double c in centred) sum += (c / largest) * (c / largest);
        double norm = largest * Math.Sqrt(sum);
        for (int i = 0; i < centred.Length; i++) centred[i] /= norm;
        return centred;
    }

    /// <summary>numpy.nanmedian: the median of the non-NaN values (NaN when there are none).</summary>
    public static double NanMedian(IEnumerable<double> values)
    {
        double[] sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>diag(scale) · m.</summary>
    static Matrix<double> ScaleRows(Matrix<double> m, Vector<double> scale) =>
        Matrix<double>.Build.Dense(m.RowCount, m.ColumnCount, (i, j) => m[i, j] * scale[i]);

    static Matrix<double> Rows(Matrix<double> m, int[] rows) =>
        Matrix<double>.Build.Dense(rows.Length, m.ColumnCount, (i, j) => m[rows[i], j]);

    /// <summary>Column means; a constant column's mean is its value exactly, so it centres to exact zeros and its
    /// predictions stay exactly constant (r NaN) instead of rounding noise.</summary>
    static Vector<double> ColumnMeans(Matrix<double> m) =>
        Vector<double>.Build.Dense(m.ColumnCount, j => IsConstant(m.Column(j)) ? m[0, j] : m.Column(j).Sum() / m.RowCount);

    static bool IsConstant(Vector<double> values)
    {
        for (int i = 1; i < values.Count; i++)
            if (values[i] != values[0]) return false;
        return true;
    }

    static Matrix<double> Centre(Matrix<double> m, Vector<double> mean) =>
        Matrix<double>.Build.Dense(m.RowCount, m.ColumnCount, (i, j) => m[i, j] - mean[j]);
}
