namespace LlmLoc.Models;

/// <summary>
/// Which units of a block a mask covers (<c>--site</c>): the original's block output, or the hidden layer of the
/// block's MLP (TransformerLens' <c>blocks.{i}.hook_resid_post</c> and <c>blocks.{i}.mlp.hook_post</c>).
/// </summary>
public enum UnitSite
{
    /// <summary>The block's output hidden states, the residual stream ("resid", the default): hidden_size units per layer.</summary>
    Residual,
    /// <summary>
    /// The input of the block's MLP output projection ("mlp"): GPT-2 <c>mlp.c_proj</c>, Falcon and GPT-NeoX
    /// <c>mlp.dense_4h_to_h</c>, the Llama-style families' <c>mlp.down_proj</c> — the MLP's intermediate width per layer.
    /// </summary>
    Mlp,
}

public static class UnitSiteNames
{
    /// <summary>The <c>--site</c> values, default first.</summary>
    public static readonly string[] All = [UnitSite.Residual.ToFlag(), UnitSite.Mlp.ToFlag()];

    public static string ToFlag(this UnitSite site) => site switch
    {
        UnitSite.Residual => "resid",
        UnitSite.Mlp => "mlp",
        _ => throw new ArgumentOutOfRangeException(nameof(site)),
    };

    public static UnitSite Parse(string flag) => flag switch
    {
        "resid" => UnitSite.Residual,
        "mlp" => UnitSite.Mlp,
        _ => throw new LlmLocException($"unknown --site '{flag}': use {string.Join(" or ", All)}", ExitCodes.Usage),
    };

    /// <summary>
    /// The part of cache and figure names that names the site: empty for the default (so the original's names stay
    /// byte-identical), else <c>_site=mlp</c>.
    /// </summary>
    public static string NameToken(this UnitSite site) => site == UnitSite.Residual ? "" : $"_site={site.ToFlag()}";

    /// <summary>What a layer's units are, for messages and figure labels.</summary>
    public static string UnitsNoun(this UnitSite site) => site == UnitSite.Residual ? "units" : "MLP units";
}
