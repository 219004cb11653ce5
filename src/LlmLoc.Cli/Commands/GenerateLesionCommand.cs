using System.CommandLine;
using LlmLoc.Lesion;
using LlmLoc.Masks;

namespace LlmLoc.Cli.Commands;

/// <summary><c>llmloc generate-lesion</c>: generate_lesion.py's flags one for one, plus generation controls and the
/// shared mask flags (any network's mask, --mask, --random-like).</summary>
public static class GenerateLesionCommand
{
    public static Command Create()
    {
        var model = new ModelFlags("seed of the random control's draw and of sampling (and of untrained weights)");
        var mask = new MaskFlags(MaskFlags.Use.Lesion);
        var prompt = new Option<string>("--prompt") { Description = "text to continue", Required = true };
        var network = new Option<string?>("--network")
        {
            Description = "units to ablate: a network's cached mask (language, theory-of-mind, a custom localizer's name, …), random (as many units outside the --random-like network's mask), none (intact model); default language, or --localizer's network",
        };
        var randomLike = LesionFlags.RandomLike();
        var maxLength = new Option<int>("--max-length") { Description = "total tokens including the prompt", DefaultValueFactory = _ => 20 };
        var temperature = new Option<double>("--temperature") { Description = "sampling temperature", DefaultValueFactory = _ => Generation.GenerationSettings.LesionScriptTemperature };
        var topK = new Option<int?>("--top-k") { Description = "top-k filter, 0 = off (default: the model's generation_config.json, else 50)" };
        var topP = new Option<double?>("--top-p") { Description = "nucleus filter, 1.0 = off (default: the model's generation_config.json, else 1.0)" };
        var greedy = new Option<bool>("--greedy") { Description = "greedy decoding instead of sampling" };
        var numReturn = new Option<int>("--num-return-sequences") { Description = "how many samples to print (separated by a line ---)", DefaultValueFactory = _ => 1 };

        var command = new Command("generate-lesion", "Ablate the localized units (or a random control) and generate text from a prompt; the text goes to stdout.")
        {
            prompt, network, randomLike, maxLength, temperature, topK, topP, greedy, numReturn,
        };
        model.AddTo(command);
        mask.AddTo(command);
        command.SetAction(parse =>
        {
            var options = new GenerateLesionOptions
            {
                Model = model.Read(parse),
                Mask = mask.Read(parse),
                Network = parse.GetValue(network),
                RandomLike = parse.GetValue(randomLike),
                Prompt = parse.GetValue(prompt)!,
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
