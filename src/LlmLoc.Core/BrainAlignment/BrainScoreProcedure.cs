using System.Globalization;

namespace LlmLoc.BrainAlignment;

/// <summary>
/// The flags of Brain-Score's procedure: <c>--brainscore</c>, the Pereira2018 linear benchmark's metric at
/// brain-score/language commit c505c70 (<c>Split.Defaults</c>: 10 <c>ShuffleSplit</c>s, train size 0.9, random state
/// 1; <c>linear_pearsonr</c>: scikit-learn's <c>LinearRegression</c>, scipy's <c>pearsonr</c>, median over neuroids,
/// mean over splits); <c>--cv</c> / <c>--train-size</c>; <c>--ceiling</c>; <c>--group-column</c> with <c>--items</c>;
/// <c>--layer all</c>. Every check here needs no file but the item table's existence.
/// </summary>
public static class BrainScoreProcedure
{
    public const string Commit = "c505c70";
    public const int Splits = 10;
    public const double TrainSize = 0.9;
    public const int SplitSeed = 1;
    public const string PresetFlags = "--cv shuffle-split --folds 10 --train-size 0.9 --split-seed 1 --method linear";

    public static void Validate(AlignOptions o)
    {
        if (o.TrainSize is { } train)
        {
            if (!(train > 0 && train < 1))
                throw new LlmLocException($"--train-size {F(train)} is out of range: give a fraction between 0 and 1 (exclusive)", ExitCodes.Usage);
            if (o.CrossValidation == CrossValidationScheme.KFold && !o.BrainScore)
                throw new LlmLocException("--train-size applies to --cv shuffle-split (K-fold trains on all folds but one): add --cv shuffle-split or drop --train-size", ExitCodes.Usage);
        }
        if (o.BrainScore)
        {
            // A flag contradicts the preset when it differs from the preset's value and was typed (or differs from llmloc's default).
            bool Typed(string flag) => o.ExplicitFlags.Contains(flag);
            var contradictions = new List<string>();
            if (o.CrossValidation != CrossValidationScheme.ShuffleSplit && Typed("--cv")) contradictions.Add($"--cv {CrossValidationSplits.Name(o.CrossValidation)}");
            if (o.Folds != Splits) contradictions.Add($"--folds {o.Folds}");
            if (o.TrainSize is { } t && t != TrainSize) contradictions.Add($"--train-size {F(t)}");
            if (o.SplitSeed != SplitSeed && (Typed("--split-seed") || o.SplitSeed != 0)) contradictions.Add($"--split-seed {o.SplitSeed}");
            if (o.Method != RegressionMethod.Linear) contradictions.Add($"--method {o.Method.ToString().ToLowerInvariant()}");
            if (contradictions.Count > 0)
                throw new LlmLocException($"--brainscore means {PresetFlags}; {string.Join(", ", contradictions)} contradicts it: drop {(contradictions.Count == 1 ? "that flag" : "those flags")} or --brainscore", ExitCodes.Usage);
        }
        AlignCeilings.Parse(o.Ceilings, o.GroupColumn);
        if (o.GroupColumn is not null && o.ItemsFile is null)
            throw new LlmLocException($"--group-column {o.GroupColumn} needs --items FILE: the item table `llmloc extract` wrote (it copies the input's columns)", ExitCodes.Usage);
        if (o.ItemsFile is not null && o.GroupColumn is null)
            throw new LlmLocException("--items is read only for --group-column: add --group-column NAME or drop --items", ExitCodes.Usage);
        if (o.ItemsFile is { } items && !File.Exists(items))
            throw new LlmLocException($"--items {items} does not exist: give the item table `llmloc extract` wrote (OUTPUT.items.csv)");
        if (o.AllLayers && o.Layer is not null)
            throw new LlmLocException("give --layer all or one --layer L, not both", ExitCodes.Usage);
    }

    /// <summary>The options with the preset applied (after <see cref="Validate"/>) and the shuffle-split train size defaulted.</summary>
    public static AlignOptions Resolve(AlignOptions o) => o.BrainScore
        ? o with { CrossValidation = CrossValidationScheme.ShuffleSplit, Folds = Splits, TrainSize = TrainSize, SplitSeed = SplitSeed, Method = RegressionMethod.Linear }
        : o with { TrainSize = o.CrossValidation == CrossValidationScheme.ShuffleSplit ? o.TrainSize ?? TrainSize : null };

    /// <summary>Least squares' relative singular-value cutoff: scipy's default under the preset, else llmloc's 1e-10.</summary>
    public static double LeastSquaresCutoff(AlignOptions o) => o.BrainScore ? LinearPredictivity.ScipyLstsqCutoff : LinearPredictivity.SingularValueCutoff;

    /// <summary>The splits of one set of rows (indices local to it).</summary>
    public static DataSplit[] SplitsFor(AlignOptions o, int n) => o.CrossValidation == CrossValidationScheme.KFold
        ? CrossValidationSplits.KFold(n, o.Folds, (uint)o.SplitSeed)
        : CrossValidationSplits.ShuffleSplit(n, o.Folds, o.TrainSize ?? TrainSize, (uint)o.SplitSeed);

    /// <summary>--layer L (a layer index) or all (null here; <see cref="AlignOptions.AllLayers"/>).</summary>
    public static int? ParseLayer(string? value) => value is null or "all" ? null
        : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int layer) ? layer
        : throw new LlmLocException($"--layer {value} is not a layer: give a layer index (0-based) or all", ExitCodes.Usage);

    static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>
/// <c>--ceiling C</c> (every group) or <c>--ceiling GROUP=C</c> per group: the normalised score is score / ceiling
/// clipped to [0, 1] (Brain-Score's <c>ceiling_normalize</c>), averaged over groups.
/// </summary>
public sealed record AlignCeilings(double? Common, IReadOnlyDictionary<string, double> ByGroup)
{
    public bool Any => Common is not null || ByGroup.Count > 0;

    public double? For(string group) => Common ?? (ByGroup.TryGetValue(group, out double c) ? c : null);

    /// <summary>score / ceiling clipped to [0, 1]; NaN stays NaN.</summary>
    public static double Normalise(double score, double ceiling) => double.IsNaN(score) ? double.NaN : Math.Clamp(score / ceiling, 0, 1);

    public static AlignCeilings Parse(IReadOnlyList<string> values, string? groupColumn)
    {
        double? common = null;
        var byGroup = new Dictionary<string, double>();
        foreach (string value in values)
        {
            int eq = value.LastIndexOf('=');
            string? group = eq >= 0 ? value[..eq] : null;
            double ceiling = Number(eq >= 0 ? value[(eq + 1)..] : value, value);
            if (group is null)
            {
                if (common is not null)
                    throw new LlmLocException($"--ceiling is given twice ({F(common.Value)} and {F(ceiling)}): give one ceiling, or one GROUP=C per group", ExitCodes.Usage);
                common = ceiling;
            }
            else
            {
                if (groupColumn is null)
                    throw new LlmLocException($"--ceiling {value} names a group, but there is no --group-column: add --group-column NAME (with --items), or give --ceiling C", ExitCodes.Usage);
                if (group.Length == 0 || !byGroup.TryAdd(group, ceiling))
                    throw new LlmLocException($"--ceiling {value}: {(group.Length == 0 ? "the group name is empty" : $"group '{group}' is given twice")}; give one GROUP=C per group", ExitCodes.Usage);
            }
        }
        if (common is not null && byGroup.Count > 0)
            throw new LlmLocException("--ceiling C and --ceiling GROUP=C are both given: give one ceiling for all groups, or one per group", ExitCodes.Usage);
        return new AlignCeilings(common, byGroup);
    }

    /// <summary>With per-group ceilings every group needs one and every named group must exist.</summary>
    public void CheckGroups(IReadOnlyCollection<string> groups, string column)
    {
        if (ByGroup.Count == 0) return;
        if (groups.FirstOrDefault(g => !ByGroup.ContainsKey(g)) is { } missing)
            throw new LlmLocException($"group '{missing}' of --group-column {column} has no --ceiling: give --ceiling {missing}=C for every group ({string.Join(", ", groups)})", ExitCodes.Usage);
        if (ByGroup.Keys.FirstOrDefault(g => !groups.Contains(g)) is { } unknown)
            throw new LlmLocException($"--ceiling {unknown}=… names no group of --group-column {column} (groups: {string.Join(", ", groups)}): fix the group name", ExitCodes.Usage);
    }

    static double Number(string text, string flagValue)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double c) || !double.IsFinite(c))
            throw new LlmLocException($"--ceiling {flagValue}: '{text}' is not a number; give a ceiling such as 0.35378928 (or GROUP=0.35378928)", ExitCodes.Usage);
        if (!(c > 0 && c <= 1))
            throw new LlmLocException($"--ceiling {flagValue} is out of range: a ceiling is a correlation in (0, 1] (Brain-Score's Pereira2018 ceilings are 0.35378928 and 0.36343748)", ExitCodes.Usage);
        return c;
    }

    static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
