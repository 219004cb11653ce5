using LlmLoc.Hub;

namespace LlmLoc.Tests.Hub;

public sealed class HubSettingsTests
{
    static HubSettings From(Dictionary<string, string> env, HubOptions? options = null) =>
        HubSettings.From(options, k => env.GetValueOrDefault(k));

    [Fact]
    public void Cache_root_follows_huggingface_hub_precedence()
    {
        Assert.Equal("/h/.cache/huggingface/hub", From(new() { ["HOME"] = "/h" }).CacheRoot);
        Assert.Equal("/x/huggingface/hub", From(new() { ["HOME"] = "/h", ["XDG_CACHE_HOME"] = "/x" }).CacheRoot);
        Assert.Equal("/hf/hub", From(new() { ["HOME"] = "/h", ["XDG_CACHE_HOME"] = "/x", ["HF_HOME"] = "/hf" }).CacheRoot);
        Assert.Equal("/hc", From(new() { ["HF_HOME"] = "/hf", ["HF_HUB_CACHE"] = "/hc" }).CacheRoot);
        Assert.Equal("/legacy", From(new() { ["HF_HOME"] = "/hf", ["HUGGINGFACE_HUB_CACHE"] = "/legacy" }).CacheRoot);
        Assert.Equal("/tc", From(new() { ["HF_HUB_CACHE"] = "/hc", ["TRANSFORMERS_CACHE"] = "/tc" }).CacheRoot); // transformers' order
        Assert.Equal("/h/hfhome/hub", From(new() { ["HOME"] = "/h", ["HF_HOME"] = "~/hfhome" }).CacheRoot);
        Assert.Equal("/opt", From(new() { ["HF_HUB_CACHE"] = "/hc" }, new HubOptions(CacheDir: "/opt")).CacheRoot);
    }

    [Fact]
    public void Endpoint_defaults_to_huggingface_co_and_loses_a_trailing_slash()
    {
        Assert.Equal("https://huggingface.co", From(new()).Endpoint);
        Assert.Equal("https://hf-mirror.com", From(new() { ["HF_ENDPOINT"] = "https://hf-mirror.com/" }).Endpoint);
        Assert.Equal("http://o", From(new() { ["HF_ENDPOINT"] = "https://hf-mirror.com" }, new HubOptions(Endpoint: "http://o")).Endpoint);
        Assert.Throws<LlmLocException>(() => From(new() { ["HF_ENDPOINT"] = "ftp://x" }));
    }

    [Fact]
    public void Token_comes_from_options_then_HF_TOKEN_then_the_token_file()
    {
        using var temp = new LlmLoc.Tests.Infrastructure.TempDir();
        File.WriteAllText(temp.File("token"), " hf_file \n");
        Assert.Equal("hf_file", From(new() { ["HF_HOME"] = temp.Path }).Token);
        Assert.Equal("hf_env", From(new() { ["HF_HOME"] = temp.Path, ["HF_TOKEN"] = "hf_env" }).Token);
        Assert.Equal("hf_opt", From(new() { ["HF_TOKEN"] = "hf_env" }, new HubOptions(Token: "hf_opt")).Token);
        Assert.Null(From(new() { ["HF_HOME"] = Path.Combine(temp.Path, "none") }).Token);
        File.WriteAllText(temp.File("elsewhere"), "hf_path");
        Assert.Equal("hf_path", From(new() { ["HF_TOKEN_PATH"] = temp.File("elsewhere") }).Token);
    }

    [Theory]
    [InlineData("1", true)] [InlineData("ON", true)] [InlineData("yes", true)] [InlineData("True", true)]
    [InlineData("0", false)] [InlineData("false", false)] [InlineData("", false)]
    public void HF_HUB_OFFLINE_accepts_huggingface_hubs_true_values(string value, bool offline)
    {
        Assert.Equal(offline, From(new() { ["HF_HUB_OFFLINE"] = value }).Offline);
        Assert.Equal(offline, From(new() { ["TRANSFORMERS_OFFLINE"] = value }).Offline);
        Assert.True(From(new() { ["HF_HUB_OFFLINE"] = value }, new HubOptions(Offline: true)).Offline);
    }
}
