using System.CommandLine;
using LlmLoc.Models;
using LlmLoc.Sessions;

namespace LlmLoc.Cli.Commands;

/// <summary>
/// The model flags, declared once (names, defaults, accepted values, help): --model-name, --untrained, --seed, and
/// for verbs that load a model --device, --offline, --weights, --dtype and --verbose. <see cref="Read"/> gives the
/// one model specification the verb's options carry.
/// </summary>
public sealed class ModelFlags
{
    public Option<string> ModelName { get; } = new("--model-name") { Description = ModelNameHelp, Required = true };
    public Option<bool> Untrained { get; } = new("--untrained")
    {
        Description = "a randomly initialised model of the same architecture (its masks are the pretrained=False ones)",
    };
    public Option<int> Seed { get; }
    public Option<string?> Device { get; } = new("--device") { Description = "cpu, cuda, cuda:N or mps (default: CUDA when available, else cpu)" };
    public Option<bool> Offline { get; } = new("--offline") { Description = "no network: use only the local Hugging Face cache (as HF_HUB_OFFLINE=1) and never fetch stimuli or BLiMP" };
    public Option<string> Weights { get; } = new("--weights")
    {
        Description = "auto: in memory when the model fits in half the available memory, else streamed; in-memory; streamed: block weights stay in the checkpoint and are converted one block at a time",
        DefaultValueFactory = _ => "auto",
    };
    public Option<string?> DType { get; } = new("--dtype") { Description = "compute dtype: float32 (CPU default, as the original), bfloat16 (fast only on CPUs with AVX-512 BF16), float16" };
    public Option<bool> Verbose { get; } = new("--verbose") { Description = "also say where the weights live when they are in memory (streaming is always reported)" };

    public const string ModelNameHelp = "Hugging Face model id (org/name[@revision]) or a local model folder";

    readonly bool loads;

    /// <param name="seedHelp">What --seed seeds in this verb.</param>
    /// <param name="loadsModel">The verb runs the model (else only its name and --untrained name cached masks).</param>
    /// <param name="checkNameLate">--model-name is required but checked when read, so that a mode of the verb that
    /// needs no model (evaluate --blimp list) runs without it.</param>
    public ModelFlags(string seedHelp, bool loadsModel = true, bool checkNameLate = false)
    {
        loads = loadsModel;
        if (checkNameLate) ModelName.Required = false;
        Seed = new("--seed") { Description = seedHelp, DefaultValueFactory = _ => Defaults.Seed };
        Weights.AcceptOnlyFromAmong(WeightsModeNames.All);
        DType.AcceptOnlyFromAmong(ComputeDTypes.All);
        if (!loadsModel)
        {
            ModelName.Required = false;
            ModelName.Description = "model whose cached mask to use (as localize named it)";
        }
    }

    public void AddTo(Command command)
    {
        command.Add(ModelName);
        command.Add(Untrained);
        command.Add(Seed);
        if (!loads) return;
        foreach (var option in new Option[] { Device, Offline, Weights, DType, Verbose }) command.Add(option);
    }

    /// <summary>The model specification, or null when --model-name is optional here and not given.</summary>
    public ModelSpec? ReadOptional(ParseResult parse) => parse.GetValue(ModelName) is { } name ? Read(parse, name) : null;

    public ModelSpec Read(ParseResult parse) => Read(parse, parse.GetValue(ModelName)
        ?? throw new LlmLocException("Option '--model-name' is required: give a Hugging Face model id (e.g. gpt2) or a model folder", ExitCodes.Usage));

    ModelSpec Read(ParseResult parse, string name) => new(name)
    {
        Untrained = parse.GetValue(Untrained),
        Seed = parse.GetValue(Seed),
        Device = loads ? parse.GetValue(Device) : null,
        Offline = loads && parse.GetValue(Offline),
        Weights = loads ? WeightsModeNames.Parse(parse.GetValue(Weights)!) : WeightsMode.Auto,
        DType = loads ? parse.GetValue(DType) : null,
        Verbose = loads && parse.GetValue(Verbose),
    };
}
