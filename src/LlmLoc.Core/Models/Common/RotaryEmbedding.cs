using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models.Common;

/// <summary>
/// Rotary position embedding as transformers 4.44 computes it: inverse frequencies in float32, angles =
/// position × inv_freq, emb = [angles | angles], cos/sin scaled by the attention factor and cast to the compute dtype.
/// Scalings: default, linear, dynamic (NTK; recomputed per call from the longest position, as a fresh model would),
/// llama3, and Phi-3's longrope (short vs long factors chosen per call from max position + 1).
/// </summary>
public sealed class RotaryEmbedding
{
    readonly int _dim;
    readonly double _theta;
    readonly string _type;
    readonly double _factor;
    readonly int _maxPositions;
    readonly JsonObject? _scaling;
    readonly int _originalMax;

    /// <param name="supportedScalings">The rope_scaling types the family's transformers code implements; by default
    /// default/linear/dynamic/llama3 (Phi-3: default/longrope).</param>
    public RotaryEmbedding(int dim, double theta, JsonObject? scaling, int maxPositions, int? originalMaxPositions, string family,
        IReadOnlyList<string>? supportedScalings = null)
    {
        _dim = dim; _theta = theta; _scaling = scaling; _maxPositions = maxPositions;
        _type = scaling is null ? "default" : (scaling["rope_type"] ?? scaling["type"])?.GetValue<string>() ?? "default";
        _factor = scaling?["factor"] is JsonValue f ? f.GetValue<double>() : 1.0;
        _originalMax = scaling?["original_max_position_embeddings"] is JsonValue o ? (int)o.GetValue<double>() : originalMaxPositions ?? maxPositions;
        var supported = supportedScalings ?? (family == "phi3" ? ["default", "longrope"] : ["default", "linear", "dynamic", "llama3"]);
        if (!supported.Contains(_type))
            throw new LlmLocException($"rope_scaling type '{_type}' is not supported for {family} (supported: {string.Join(", ", supported)}); use a checkpoint with a supported rope_scaling", ExitCodes.RuntimeError);
    }

    /// <summary>cos and sin [1, 1, length, dim] for positions start .. start+length-1.</summary>
    public (Tensor Cos, Tensor Sin) For(long start, long length, ScalarType dtype, Device device)
    {
        using var scope = torch.NewDisposeScope();
        long seqLen = start + length; // max(position_ids) + 1
        var (invFreq, attentionFactor) = InverseFrequencies(seqLen);
        var positions = torch.arange(start, start + length, dtype: ScalarType.Int64).to(ScalarType.Float32);
        var angles = torch.outer(positions, invFreq);
        var emb = torch.cat([angles, angles], -1);
        var cos = (emb.cos() * attentionFactor).to(dtype, device).view(1, 1, length, _dim);
        var sin = (emb.sin() * attentionFactor).to(dtype, device).view(1, 1, length, _dim);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
    }

    Tensor Exponents() => torch.arange(0, _dim, 2, dtype: ScalarType.Int64).to(ScalarType.Float32) / (float)_dim;

    Tensor DefaultInverse(double theta) => 1.0f / torch.full([_dim / 2], theta, ScalarType.Float32).pow(Exponents());

    (Tensor InvFreq, double Factor) InverseFrequencies(long seqLen)
    {
        switch (_type)
        {
            case "linear":
                return (DefaultInverse(_theta) / _factor, 1.0);
            case "dynamic":
                if (seqLen <= _maxPositions) return (DefaultInverse(_theta), 1.0);
                double scaled = _theta * Math.Pow(_factor * seqLen / _maxPositions - (_factor - 1), _dim / (_dim - 2.0));
                return (DefaultInverse(scaled), 1.0);
            case "llama3":
                return (Llama3(DefaultInverse(_theta)), 1.0);
            case "longrope":
                var key = seqLen > _originalMax ? "long_factor" : "short_factor";
                var factors = (_scaling![key] as JsonArray ?? throw new LlmLocException($"rope_scaling lacks '{key}'; use a config.json written by transformers", ExitCodes.RuntimeError))
                    .Select(v => (float)v!.GetValue<double>()).ToArray();
                if (factors.Length != _dim / 2)
                    throw new LlmLocException($"rope_scaling.{key} has {factors.Length} entries but head_dim/2 = {_dim / 2}; the config is inconsistent", ExitCodes.RuntimeError);
                var inv = 1.0f / (torch.tensor(factors) * torch.full([_dim / 2], _theta, ScalarType.Float32).pow(Exponents()));
                double scale = (double)_maxPositions / _originalMax;
                double attention = scale <= 1.0 ? 1.0 : Math.Sqrt(1 + Math.Log(scale) / Math.Log(_originalMax));
                return (inv, attention);
            default:
                return (DefaultInverse(_theta), 1.0);
        }
    }

    Tensor Llama3(Tensor invFreq)
    {
        double low = _scaling!["low_freq_factor"]!.GetValue<double>();
        double high = _scaling["high_freq_factor"]!.GetValue<double>();
        double oldContext = _originalMax;
        double lowWavelen = oldContext / low, highWavelen = oldContext / high;
        var wavelen = 2 * Math.PI / invFreq;
        var llama = torch.where(wavelen > lowWavelen, invFreq / _factor, invFreq);
        var smooth = (oldContext / wavelen - low) / (high - low);
        var smoothed = (1 - smooth) * llama / _factor + smooth * llama;
        var medium = (wavelen < highWavelen).logical_not().logical_and((wavelen > lowWavelen).logical_not());
        return torch.where(medium, smoothed, llama);
    }

    /// <summary>
    /// x·cos + rotate_half(x)·sin with rotate_half(x) = [-x2, x1]. When cos/sin are narrower than x (GPT-NeoX's
    /// rotary_pct &lt; 1), only the first cos.shape[-1] dims rotate; the rest pass through.
    /// </summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = torch.NewDisposeScope();
        long rotated = cos.shape[^1], width = x.shape[^1];
        if (rotated < width)
            return torch.cat([Apply(x.narrow(-1, 0, rotated), cos, sin), x.narrow(-1, rotated, width - rotated)], -1).MoveToOuterDisposeScope();
        long half = width / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        var turned = torch.cat([-x2, x1], -1);
        return (x * cos + turned * sin).MoveToOuterDisposeScope();
    }
}
