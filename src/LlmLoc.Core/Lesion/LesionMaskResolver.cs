using LlmLoc.Masks;
using LlmLoc.Models;
using LlmLoc.Sessions;
using LlmLoc.Statistics;

namespace LlmLoc.Lesion;

/// <summary>The mask to ablate, what it is (condition, network, mask file), and a one-line account for stderr.</summary>
public sealed record ResolvedLesionMask(UnitMask? Mask, string Description)
{
    /// <summary>none, random or the ablated network (the table's <c>condition</c> column).</summary>
    public string Condition { get; init; } = Networks.None;
    /// <summary>The network whose mask defines the condition (a random control's base network); null for none.</summary>
    public string? Network { get; init; }
    /// <summary>The mask file read (cache name or --mask path); null for none.</summary>
    public string? MaskName { get; init; }
    /// <summary>--label or the network and its settings: how tables and figures name the mask.</summary>
    public string? Label { get; init; }
}

/// <summary>generate_lesion.py's mask choice, for every network: a cached (or given) mask, its random control, or none.</summary>
public static class LesionMaskResolver
{
    /// <param name="warnings">Gets the warnings about the flags (both sizes given, a --mask whose cache name names
    /// another network); a verb resolving several conditions passes it once.</param>
    public static ResolvedLesionMask Resolve(LesionRequest request, TextWriter? warnings = null)
    {
        request.Validate();
        if (request.Condition == Networks.None)
            return new ResolvedLesionMask(null, "network none: no lesion (intact model)");

        string network = request.MaskNetwork!;
        if (warnings is not null) Warn(request, network, warnings);
        var mask = Load(request);
        string shape = $"({mask.Layers}, {mask.Hidden})", noun = mask.Site.UnitsNoun();
        string label = request.MaskOfNetwork.Describe(request.Pooling);
        var resolved = new ResolvedLesionMask(mask, "") { Condition = request.Condition, Network = network, MaskName = mask.Source, Label = label };
        if (request.Condition != Networks.Random)
            return resolved with { Description = $"network {network}: lesioning {mask.Count} {noun} of a {shape} mask from {mask.Source}" };

        long[] random = UnitSelection.RandomLesionMask(mask.Values, request.Seed, network);
        var control = new UnitMask(random, mask.Layers, mask.Hidden, $"random control of {mask.Source}") { Site = mask.Site };
        return resolved with
        {
            Mask = control,
            Description = $"network random: lesioning {control.Count} {noun} of a {shape} mask drawn (seed {request.Seed}) from outside " +
                $"the {mask.Count} {network} {noun} of {mask.Source}",
        };
    }

    static void Warn(LesionRequest request, string network, TextWriter warnings)
    {
        if (request.Mask.File is null) request.Mask.WarnAboutSize(warnings);
        else if (MaskCacheKey.TryParse(request.Mask.File) is { } named && named.Network != network && !CustomNetworks.IsOf(named.Network, network))
            warnings.WriteLine($"llmloc: warning: --mask {request.Mask.File} is named as a {named.Network} mask but is ablated as {network}'s: " +
                $"name its network with --network {named.Network}{(request.Condition == Networks.Random ? " (or --random-like)" : "")}");
    }

    /// <summary>The network's mask at the specification's site: --mask FILE, else the cached mask of the model and
    /// settings (a custom localizer's definition is resolved for the model first, unless it already is).</summary>
    public static UnitMask Load(LesionRequest request)
    {
        if (request.Mask.File is { } file)
        {
            if (!File.Exists(file))
                throw new LlmLocException($"mask file {file} does not exist: give the path of a .npy mask (e.g. one `llmloc localize` wrote)");
            return UnitMask.Load(file, request.Mask.Site);
        }
        if (request.Mask.Localizer?.Name == request.MaskNetwork)
            request = request with { Mask = LocalizerReference.Resolve(request.Mask, request.Model) };
        return request.Mask.Cache.Load(request.Key, request.LocalizeCommand);
    }
}
