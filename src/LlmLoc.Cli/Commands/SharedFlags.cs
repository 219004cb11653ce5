using System.CommandLine;
using LlmLoc.Masks;

namespace LlmLoc.Cli.Commands;

/// <summary>
/// The flags several verbs share, declared once (names, defaults, accepted values); a verb passes its own
/// description where the flag's meaning differs (what the seed seeds, which mask the pooling looks up).
/// </summary>
public static class SharedFlags
{
    public static Option<string> ModelName() =>
        new("--model-name") { Description = "Hugging Face model id (org/name[@revision]) or a local model folder", Required = true };

    public static Option<string?> Device() => new("--device") { Description = "cpu, cuda, cuda:N or mps (default: CUDA when available, else cpu)" };

    public static Option<bool> Offline() => new("--offline") { Description = "use only the local Hugging Face cache (as HF_HUB_OFFLINE=1)" };

    public static Option<int> Seed(string description) => new("--seed") { Description = description, DefaultValueFactory = _ => 42 };

    public static Option<bool> Untrained(string description) => new("--untrained") { Description = description };

    public static Option<string?> CacheDir(string description) => new("--cache-dir") { Description = description };

    /// <summary>--pooling (or --mask-pooling) with localize's default, last-token.</summary>
    public static Option<string> Pooling(string description, string name = "--pooling")
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => Masks.Pooling.LastToken.ToFlag() };
        option.AcceptOnlyFromAmong(PoolingNames.All);
        return option;
    }

    /// <summary>--pooling without a default (the verb picks one per network).</summary>
    public static Option<string?> PoolingOrDefault(string description)
    {
        var option = new Option<string?>("--pooling") { Description = description };
        option.AcceptOnlyFromAmong(PoolingNames.All);
        return option;
    }

    public static Option<string> LocalizeRange(string description) =>
        new("--localize-range") { Description = description, DefaultValueFactory = _ => "100-100" };
}
