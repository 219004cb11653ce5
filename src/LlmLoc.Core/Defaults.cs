namespace LlmLoc;

/// <summary>Defaults several verbs share, written once (the flags, option records and sweep grids all read them).</summary>
public static class Defaults
{
    /// <summary>--seed: the original's <c>np.random.seed(42)</c> / <c>torch.manual_seed(42)</c>.</summary>
    public const int Seed = 42;
    /// <summary>--localize-range: the top units by t.</summary>
    public const string Range = "100-100";
    /// <summary>--percentage of a cached mask looked up without --percentage or --num-units (plot.py's and the paper's 1 %).</summary>
    public const double LookupPercentage = 1;
}
