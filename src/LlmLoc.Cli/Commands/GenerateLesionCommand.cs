using LlmLoc.Masks;
using System.CommandLine;
using LlmLoc.Lesion;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc generate-lesion</c>: generate_lesion.py's flags one for one, plus generation controls and --mask.</summary>
public static class GenerateLesionCommand
{
    public static Command Create()
    {
        var modelName = SharedFlags.ModelName();
        var prompt = new Option<string>("--prompt") { Description = "text to continue", Required = true };
        var percentage = new Option<double>("--percentage") { Description = "percentage of the localized language mask to look up (as given to localize), e.g. 1", Required = true };
        var network = new Option<string>("--network") { Description = "units to ablate: language (cached mask), random (as many units outside it), none (intact model)", DefaultValueFactory = _ => Networks.Language };
        network.AcceptOnlyFromAmong(Networks.LesionConditions);
        var device = SharedFlags.Device();
        var seed = SharedFlags.Seed("seed of the random control's draw and of sampling (and of untrained weights)");
        var pooling = SharedFlags.Pooling("pooling of the cached language mask");
        var range = SharedFlags.LocalizeRange("range of the cached language mask");
        var maxLength = new Option<int>("--max-length") { Description = "total tokens including the prompt", DefaultValueFactory = _ => 20 };
        var temperature = new Option<double>("--temperature") { Description = "sampling temperature", DefaultValueFactory = _ => Generation.GenerationSettings.LesionScriptTemperature };
        var topK = new Option<int?>("--top-k") { Description = "top-k filter, 0 = off (default: the model's generation_config.json, else 50)" };
        var topP = new Option<double?>("--top-p") { Description = "nucleus filter, 1.0 = off (default: the model's generation_config.json, else 1.0)" };
        var greedy = new Option<bool>("--greedy") { Description = "greedy decoding instead of sampling" };
        var numReturn = new Option<int>("--num-return-sequences") { Description = "how many samples to print (separated by a line ---)", DefaultValueFactory = _ => 1 };
        var cacheDir = SharedFlags.CacheDir("where localize cached the masks (default: $LOC_CACHE, else cache)");
        var mask = new Option<string?>("--mask") { Description = "lesion this 0/1 .npy mask instead of the cached language mask (random draws outside it)" };
        var untrained = SharedFlags.Untrained("a randomly initialised model of the same architecture (uses the pretrained=False mask)");
        var offline = SharedFlags.Offline();

        var command = new Command("generate-lesion", "Ablate the localized units (or a random control) and generate text from a prompt; the text goes to stdout.")
        {
            modelName, prompt, percentage, network, device, seed, pooling, range, maxLength, temperature, topK, topP,
            greedy, numReturn, cacheDir, mask, untrained, offline,
        };
        var modelFlags = new ModelFlags();
        modelFlags.AddTo(command);
        var localizerFlags = new LocalizerFlags("ablate this localizer's cached mask instead of the language mask (random: as many units outside it): a built-in's name, a definition FILE.toml or a custom localizer's name");
        localizerFlags.AddTo(command);
        command.SetAction(parse =>
        {
            var options = new GenerateLesionOptions
            {
                Mask = new LesionMaskRequest
                {
                    ModelName = parse.GetValue(modelName)!,
                    Percentage = parse.GetValue(percentage),
                    Network = parse.GetValue(network)!,
                    Pooling = PoolingNames.Parse(parse.GetValue(pooling)!),
                    Range = LocalizeRange.Parse(parse.GetValue(range)!),
                    Seed = parse.GetValue(seed),
                    Untrained = parse.GetValue(untrained),
                    CacheDir = parse.GetValue(cacheDir),
                    MaskFile = parse.GetValue(mask),
                    Units = localizerFlags.UnitsOf(parse, parse.GetValue(offline)),
                },
                Prompt = parse.GetValue(prompt)!,
                Device = parse.GetValue(device),
                Offline = parse.GetValue(offline),
                Weights = modelFlags.WeightsOf(parse),
                DType = parse.GetValue(modelFlags.DType),
                MaxLength = parse.GetValue(maxLength),
                Temperature = parse.GetValue(temperature),
                TopK = parse.GetValue(topK),
                TopP = parse.GetValue(topP),
                Greedy = parse.GetValue(greedy),
                NumReturnSequences = parse.GetValue(numReturn),
            };
            GenerateLesion.Run(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return ExitCodes.Ok;
        });
        return command;
    }
}
