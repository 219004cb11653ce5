using LlmLoc.Masks;
using LlmLoc.Sessions;

namespace LlmLoc.Lesion;

/// <summary>
/// What one lesion condition ablates: nothing (<c>none</c>), a network's mask (<c>language</c>,
/// <c>theory-of-mind</c>, a custom localizer's name), or a random control of the size of the <see cref="RandomLike"/>
/// network's mask, drawn outside it (<c>random</c>). The mask settings (size, pooling, range, site, cache, a custom
/// localizer's definition, or a file) are the verb's mask specification.
/// </summary>
public sealed record LesionRequest
{
    /// <summary>The model whose cached masks are looked up (model id and pretrained in the cache names).</summary>
    public required ModelSpec Model { get; init; }
    public required MaskSpec Mask { get; init; }
    /// <summary>none, random, or a network name.</summary>
    public required string Condition { get; init; }
    /// <summary>The network whose mask a random control matches in size and avoids (generate_lesion.py: language).</summary>
    public string RandomLike { get; init; } = Networks.Language;
    /// <summary>Seeds the random control's draw (generate_lesion.py's np.random.seed(args.seed)).</summary>
    public int Seed { get; init; } = Defaults.Seed;

    /// <summary>The network whose mask this condition reads: the condition's own, the random control's base, or none.</summary>
    public string? MaskNetwork => Condition switch
    {
        Networks.None => null,
        Networks.Random => RandomLike,
        _ => Condition,
    };

    /// <summary>The mask of <see cref="MaskNetwork"/> with the verb's settings.</summary>
    public MaskSpec MaskOfNetwork => Mask with { Network = MaskNetwork ?? Mask.Network };

    /// <summary>Lesion verbs look masks up with localize's default pooling (last-token, or a custom localizer's own)
    /// unless --pooling says otherwise.</summary>
    public Pooling Pooling => Mask.PoolingOf(MaskOfNetwork.Network, PoolingDefaults.Localize);

    /// <summary>The cache entry of the mask this condition reads.</summary>
    public MaskCacheKey Key => Model.KeyOf(MaskOfNetwork, Pooling);

    /// <summary>The localize command that writes <see cref="Key"/>.</summary>
    public string LocalizeCommand =>
        $"llmloc localize --model-name {Model.ModelName} {MaskOfNetwork.Flags(Pooling)}" + (Model.Untrained ? " --untrained" : "");

    /// <summary>A custom localizer (--localizer FILE.toml) must be read by some condition: as one, or as the network
    /// random controls are drawn like.</summary>
    public static void CheckLocalizerIsRead(MaskSpec mask, IReadOnlyCollection<string> conditions, string randomLike)
    {
        if (mask.Localizer is { } custom && !conditions.Contains(custom.Name) && !(conditions.Contains(Networks.Random) && randomLike == custom.Name))
            throw new LlmLocException($"--localizer {custom.File} defines the network {custom.Name}, which no condition reads: " +
                $"name {custom.Name} as a condition (or --random-like {custom.Name}), or drop --localizer", ExitCodes.Usage);
    }

    public void Validate()
    {
        Networks.ValidateCondition(Condition);
        if (Networks.IsLesionControl(RandomLike))
            throw new LlmLocException($"--random-like {RandomLike}: name the network whose mask random controls match, e.g. --random-like language", ExitCodes.Usage);
        Networks.ValidateName(RandomLike);
        Mask.Validate();
        FlagChecks.Seed(Seed);
        if (Condition == Networks.None && Mask.File is not null)
            throw new LlmLocException("--mask has no effect with --network none (no lesion): drop --mask or name the network it ablates", ExitCodes.Usage);
    }
}
