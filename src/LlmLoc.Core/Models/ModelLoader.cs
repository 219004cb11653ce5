using System.Text.Json.Nodes;
using LlmLoc.Models.Common;
using LlmLoc.Models.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>Builds a model from a Hugging Face folder (config.json + safetensors) or from a config with random weights.</summary>
public static class ModelLoader
{
    /// <param name="log">Gets one line saying whether the weights are in memory or streamed, and why.</param>
    public static ICausalLanguageModel Load(string folder, LoadOptions options, TextWriter? log = null)
    {
        if (!Directory.Exists(folder))
            throw new LlmLocException($"model folder '{folder}' does not exist; pass a Hugging Face model folder (config.json + model.safetensors)");
        var config = ModelConfig.Load(folder);
        if (options.Untrained) return Create(config, options);
        var checkpoint = Checkpoint.Open(folder);
        CausalLmBase? model = null;
        try
        {
            var dtype = options.DType ?? (options.Device.type == DeviceType.CPU ? ScalarType.Float32 : StoredDType(config, checkpoint));
            model = Create(config, options with { DType = dtype });
            var (streamed, why) = ChooseWeights(model, checkpoint, options.Weights, AvailableMemoryBytes());
            if (streamed || options.Verbose)
                log?.WriteLine($"llmloc: weights {(streamed ? "streamed block by block from the checkpoint" : "in memory")} as {dtype.ToString().ToLowerInvariant()}: {why}");
            // Streamed: the other weights are copied, not mapped, so a shard truncated mid-run is reported by a
            // length-checked read instead of faulting on a mapped page.
            LoadWeights(model, checkpoint, options.MapFile && !streamed, streamed);
            if (!streamed) checkpoint.Dispose();
            return model;
        }
        catch { model?.Dispose(); checkpoint.Dispose(); throw; }
    }

    /// <summary>Memory this process may use: the cgroup limit (Slurm --mem, a container) or physical memory, as the GC sees it.</summary>
    public static long AvailableMemoryBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>An in-memory model may use at most this share of the available memory (activations and the runtime need the rest).</summary>
    public const double InMemoryShare = 0.5;

    /// <summary>Streamed or in memory, and the reason for the log.</summary>
    internal static (bool Streamed, string Why) ChooseWeights(CausalLmBase model, Checkpoint checkpoint, WeightsMode mode, long availableBytes)
    {
        long modelBytes = model.parameters().Sum(p => p.NumberOfElements * p.ElementSize);
        string sizes = $"the model takes {Gigabytes(modelBytes)} in {model.Spec.DType.ToString().ToLowerInvariant()}, {Gigabytes(availableBytes)} of memory is available";
        return mode switch
        {
            WeightsMode.InMemory => (false, $"--weights in-memory ({sizes})"),
            WeightsMode.Streamed => (true, $"--weights streamed ({sizes})"),
            _ when modelBytes <= InMemoryShare * availableBytes => (false, $"{sizes}, so it fits (--weights streamed forces streaming)"),
            _ => (true, $"{sizes}, more than {InMemoryShare:P0} of it (--weights in-memory forces loading)"),
        };
    }

    static string Gigabytes(long bytes) => $"{bytes / 1e9:0.00} GB";

    /// <summary>An untrained GPT-2 of a Hub size (gpt2, gpt2-medium, gpt2-large, gpt2-xl) from the built-in configs.</summary>
    public static ICausalLanguageModel LoadUntrainedGpt2(string name, LoadOptions? options = null) =>
        Create(ModelConfig.Parse(Gpt2Configs.Json(name), name), (options ?? new LoadOptions()) with { Untrained = true });

    /// <summary>Builds the family's module tree; random init when <see cref="LoadOptions.Untrained"/>, else uninitialized.</summary>
    public static CausalLmBase Create(ModelConfig config, LoadOptions options)
    {
        var dtype = options.DType ?? (options.Device.type == DeviceType.CPU ? ScalarType.Float32 : ConfigDType(config) ?? ScalarType.Float32);
        var spec = new TensorSpec(dtype, options.Device);
        var model = ModelRegistry.Get(config.ModelType).Create(config, spec);
        model.eval();
        if (options.Untrained) model.InitializeUntrained(options.Seed);
        return model;
    }

    /// <summary>
    /// Fills every parameter from the checkpoint; any missing, unexpected or misshapen tensor is an error.
    /// With <paramref name="streamBlocks"/>, the blocks' parameters are left in the checkpoint (which the model then owns)
    /// and read one block at a time (<see cref="StreamedWeights"/>); the other parameters load as usual.
    /// With <paramref name="mapFile"/>, a CPU parameter of the stored dtype becomes a view of the memory-mapped file
    /// (<see cref="SafeTensorsFile.MapView"/>) instead of a copy: on a VM, faulting in fresh anonymous memory costs far
    /// more than reading the page cache, and the weights are then shared with the page cache; but a file truncated in
    /// place then kills the process (SIGBUS), so llmloc's verbs read (bench/README.md, "Mapped or read weights").
    /// </summary>
    public static void LoadWeights(CausalLmBase model, Checkpoint checkpoint, bool mapFile = false, bool streamBlocks = false)
    {
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var byParameter = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in checkpoint.FileOf.Keys.Order(StringComparer.Ordinal))
        {
            if (model.IsIgnorableKey(key)) continue;
            var name = model.NormalizeKey(key);
            if (model.IsIgnorableKey(name)) continue;
            if (!parameters.TryGetValue(name, out var p))
                throw new LlmLocException($"unexpected tensor '{key}' in the checkpoint: the {model.Config.ModelType} model built from config.json has no such parameter; the weights do not match config.json", ExitCodes.RuntimeError);
            var entry = checkpoint.FileOf[key].Entries[key];
            if (!entry.Shape.SequenceEqual(p.shape))
                throw new LlmLocException($"tensor '{key}' has shape {entry.ShapeText} in the checkpoint but config.json implies {SafeTensorsDTypes.ShapeText(p.shape)}; the weights do not match config.json", ExitCodes.RuntimeError);
            byParameter[name] = key;
        }
        foreach (var (name, p) in parameters)
            if (!byParameter.ContainsKey(name))
                throw new LlmLocException($"missing tensor '{name}' (shape {SafeTensorsDTypes.ShapeText(p.shape)}) in the checkpoint; the weights are incomplete or do not match config.json", ExitCodes.RuntimeError);
        using var noGrad = torch.no_grad();
        if (streamBlocks)
        {
            // Parameters are matched to their block by identity, so this holds for every family.
            var layerOf = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
            foreach (var block in model.DecoderBlocks)
                foreach (var (_, p) in block.named_parameters()) layerOf[p] = block.LayerIndex;
            var layers = model.DecoderBlocks.Select(_ => new List<(TorchSharp.Modules.Parameter, string)>()).ToArray();
            foreach (var (name, key) in byParameter.ToList())
            {
                if (!layerOf.TryGetValue(parameters[name], out int layer)) continue;
                layers[layer].Add((parameters[name], key));
                byParameter.Remove(name);
            }
            long fileBytes = checkpoint.Entries.Sum(e => e.ByteLength);
            model.StreamedWeights = new StreamedWeights(checkpoint, layers, model.Spec.DType, model.Device, dropPages: fileBytes > AvailableMemoryBytes());
        }
        var mapped = new List<Tensor>();
        foreach (var (name, key) in byParameter)
        {
            var file = checkpoint.FileOf[key];
            var p = parameters[name];
            bool viewable = mapFile && p.device_type == DeviceType.CPU && p.dtype == file.Entries[key].ScalarType;
            if (viewable && file.MapView(key) is { } view)
            {
                using (view) p.set_(view);
                mapped.Add(p);
            }
            else file.ReadInto(key, p);
        }
        // The mapped weights' pages are brought in on another core while the caller tokenizes its input.
        if (mapped.Count > 0)
        {
            var ranges = SafeTensorsFile.AddressRanges(mapped);
            _ = Task.Run(() => SafeTensorsFile.Populate(ranges));
        }
    }

    /// <summary>Writes config.json + model.safetensors (the model's own parameter names) into <paramref name="folder"/>.</summary>
    public static void Save(ICausalLanguageModel model, string folder)
    {
        var lm = model as CausalLmBase ?? throw new ArgumentException("only models built by ModelLoader can be saved");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), lm.Config.Raw.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, NewLine = Platform.TextOutput.NewLine }));
        SafeTensorsWriter.Write(Path.Combine(folder, "model.safetensors"),
            lm.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), new Dictionary<string, string> { ["format"] = "pt" });
    }

    static ScalarType StoredDType(ModelConfig config, Checkpoint checkpoint) =>
        ConfigDType(config) ?? checkpoint.Entries.Select(e => e.ScalarType).FirstOrDefault(t => torch.is_floating_point(torch.empty(0, t)), ScalarType.Float32);

    static ScalarType? ConfigDType(ModelConfig config) => config.String("torch_dtype") switch
    {
        "float32" => ScalarType.Float32,
        "float16" => ScalarType.Float16,
        "bfloat16" => ScalarType.BFloat16,
        _ => null,
    };
}
