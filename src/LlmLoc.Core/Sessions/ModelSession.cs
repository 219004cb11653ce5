using LlmLoc.Hub;
using LlmLoc.Masks;
using LlmLoc.Models;
using LlmLoc.Tokenization;

namespace LlmLoc.Sessions;

/// <summary>
/// A loaded model with its tokenizer — what every verb starts from. <c>--model-name</c> is a local folder or a hub id
/// (resolved through the Hugging Face cache); an untrained GPT-2 of a Hub size needs neither network nor files.
/// </summary>
public sealed class ModelSession : IDisposable
{
    public required ICausalLanguageModel Model { get; init; }
    public required HfTokenizer Tokenizer { get; init; }
    /// <summary>The model's folder, or null for a built-in untrained GPT-2.</summary>
    public string? Folder { get; init; }
    /// <summary>The name in cache file names: basename(model_name), as the original.</summary>
    public required string ModelId { get; init; }

    public static ModelSession Open(ModelSpec request, TextWriter? log = null)
    {
        // A CUDA --device is checked before any download. cpu and the default cannot fail, so for them torch's native
        // start-up (DeviceSelector and LoadOptions' CPU default both trigger it) waits until the tokenizer builds
        // beside it (below; the start-up trace is in bench/README.md).
        var device = request.Device is null or "cpu" ? null : DeviceSelector.Parse(request.Device);
        var dtype = ComputeDTypes.Parse(request.DType);
        LoadOptions Load() => new()
        {
            Device = device ?? DeviceSelector.Parse(request.Device), Untrained = request.Untrained, Seed = request.Seed,
            Weights = request.Weights, DType = dtype, Verbose = request.Verbose,
        };
        string modelId = request.ModelId;

        // The original fetches the config of an untrained model from the hub; the GPT-2 sizes are built in, so the
        // quick start and CI smoke tests need no network.
        if (request.IsBuiltInGpt2)
        {
            log?.WriteLine($"llmloc: untrained {request.ModelName} from the built-in config (seed {request.Seed})");
            return new ModelSession
            {
                Model = ModelLoader.LoadUntrainedGpt2(request.ModelName, Load()),
                Tokenizer = HfTokenizer.Gpt2Embedded(),
                ModelId = modelId,
            };
        }

        string folder = ModelLocator.Resolve(request.ModelName, new HubOptions(Offline: request.Offline, Progress: log, WithoutWeights: request.Untrained));
        // The tokenizer builds on another core while torch starts and the model loads (GPT-2's 50k merges are a
        // noticeable share of start-up, bench/README.md); a broken tokenizer is still the error reported, as when it
        // loaded first.
        var tokenizerTask = Task.Run(() => HfTokenizer.FromFolder(folder));
        ICausalLanguageModel model;
        try { model = ModelLoader.Load(folder, Load(), log); }
        catch
        {
            Await(tokenizerTask);
            throw;
        }
        try { return new ModelSession { Model = model, Tokenizer = Await(tokenizerTask), Folder = folder, ModelId = modelId }; }
        catch { model.Dispose(); throw; }
    }

    /// <summary>The task's result, or its own exception (not an AggregateException).</summary>
    static T Await<T>(Task<T> task) => task.GetAwaiter().GetResult();

    public void Dispose() => Model.Dispose();
}
