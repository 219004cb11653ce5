using LlmLoc.Numerics;

namespace LlmLoc.BrainAlignment;

/// <summary><c>--cv</c>: how items are split into training and test sets.</summary>
public enum CrossValidationScheme
{
    /// <summary>K disjoint test folds covering every item once (scikit-learn <c>KFold(shuffle=True)</c>).</summary>
    KFold,
    /// <summary>Independent random splits (scikit-learn <c>ShuffleSplit</c>): an item may be tested several times or never.</summary>
    ShuffleSplit,
}

/// <summary>One split: training and test item indices, in the order scikit-learn yields them.</summary>
public sealed record DataSplit(int[] Train, int[] Test);

/// <summary>The split schemes of scikit-learn 1.2, with numpy's legacy generator (<see cref="NumpyLegacyRandom"/>).</summary>
public static class CrossValidationSplits
{
    /// <summary>Pearson r needs two test items (scipy's pearsonr refuses one).</summary>
    public const int MinimumTestItems = 2;

    /// <summary>The --cv names.</summary>
    public static string Name(CrossValidationScheme scheme) => scheme == CrossValidationScheme.KFold ? "kfold" : "shuffle-split";

    /// <summary>
    /// <c>KFold(n_splits=folds, shuffle=True, random_state=seed).split</c>: test folds are consecutive slices of numpy's
    /// <c>RandomState(seed).shuffle(arange(n))</c> (the first n % folds one longer), train the rest; both ascending.
    /// </summary>
    public static DataSplit[] KFold(int n, int folds, uint seed)
    {
        if (n / folds < MinimumTestItems)
            throw new LlmLocException(n < folds
                ? $"{n} items cannot be split into {folds} folds: give --folds {Math.Max(2, n / MinimumTestItems)} or fewer, or more items"
                : $"{n} items in {folds} folds leave test folds of {n / folds} item, where Pearson r is undefined: give --folds {Math.Max(2, n / MinimumTestItems)} or fewer, or more items");
        return LinearPredictivity.KFoldTestSets(n, folds, seed)
            .Select(test => new DataSplit(Enumerable.Range(0, n).Except(test).ToArray(), test)).ToArray();
    }

    /// <summary>
    /// <c>ShuffleSplit(n_splits=splits, train_size=trainSize, random_state=seed).split</c> with a float train size and
    /// no test size: n_train = ⌊trainSize · n⌋ (the double product, as Python's math.floor), n_test = n − n_train; per
    /// split one <c>rng.permutation(n)</c> of the same generator, test = its first n_test entries, train = the next n_train.
    /// </summary>
    public static DataSplit[] ShuffleSplit(int n, int splits, double trainSize, uint seed)
    {
        var (nTrain, nTest) = ShuffleSplitSizes(n, trainSize);
        var rng = new NumpyLegacyRandom(seed);
        var result = new DataSplit[splits];
        for (int s = 0; s < splits; s++)
        {
            long[] permutation = rng.Permutation(n);
            result[s] = new DataSplit(
                permutation.Skip(nTest).Take(nTrain).Select(i => (int)i).ToArray(),
                permutation.Take(nTest).Select(i => (int)i).ToArray());
        }
        return result;
    }

    /// <summary>Training and test sizes of a shuffle split of <paramref name="n"/> items; an error when the fraction is
    /// out of range (usage), or either set would be empty or the test set too small for Pearson r (input).</summary>
    public static (int Train, int Test) ShuffleSplitSizes(int n, double trainSize)
    {
        if (!(trainSize > 0 && trainSize < 1))
            throw new LlmLocException($"--train-size {Format(trainSize)} is out of range: give a fraction between 0 and 1 (exclusive)", ExitCodes.Usage);
        int nTrain = (int)Math.Floor(trainSize * n);
        int nTest = n - nTrain;
        if (nTrain == 0)
            throw new LlmLocException($"--train-size {Format(trainSize)} of {n} items leaves an empty training set: give a larger --train-size or more items");
        if (nTest < MinimumTestItems)
            throw new LlmLocException($"--train-size {Format(trainSize)} of {n} items leaves {nTest} test item(s), fewer than the {MinimumTestItems} Pearson r needs: give a smaller --train-size or more items");
        return (nTrain, nTest);
    }

    static string Format(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
