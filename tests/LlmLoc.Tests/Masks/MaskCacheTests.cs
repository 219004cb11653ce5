using LlmLoc.IO;
using LlmLoc.Masks;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Masks;

public class MaskCacheTests
{
    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(1, "1.0")]
    [InlineData(0.5, "0.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(100, "100.0")]
    [InlineData(12.5, "12.5")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1234567890123456.0, "1234567890123456.0")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(-2.5, "-2.5")]
    public void FloatsAreFormattedAsPython(double value, string expected) =>
        Assert.Equal(expected, PythonFormat.Float(value));

    [Fact]
    public void TheMlpSiteFollowsThePoolingOnlyWhenItIsNotTheDefault()
    {
        var key = new MaskCacheKey("gpt2", "language", "last-token", "100-100", 1.0, null, true);
        Assert.Equal("gpt2_network=language_pooling=last-token_range=100-100_perc=1.0_nunits=None_pretrained=True.npy", key.MaskFileName);
        Assert.Equal(key, key with { Site = LlmLoc.Models.UnitSite.Residual });
        var mlp = key with { Site = LlmLoc.Models.UnitSite.Mlp };
        Assert.Equal("gpt2_network=language_pooling=last-token_site=mlp_range=100-100_perc=1.0_nunits=None_pretrained=True.npy", mlp.MaskFileName);
        Assert.Equal("gpt2_network=language_pooling=last-token_site=mlp_pretrained=True_pvalues.npy", mlp.PValuesFileName);
        Assert.Equal("gpt2_network=language_pooling=last-token_site=mlp_pretrained=True_tvalues.npy", mlp.TValuesFileName);
    }

    [Fact]
    public void FileNamesEqualTheOriginalsCacheFiles()
    {
        // Every file the original wrote in the end-to-end run must be named by some key.
        var expected = Directory.GetFiles(Shared.Fixture("localize-e2e", "cache")).Select(Path.GetFileName).ToHashSet();
        Assert.Equal(12, expected.Count);
        var produced = new HashSet<string?>();
        foreach (var (network, pooling, range, perc, nunits) in new (string, string, string, double?, long?)[]
        {
            ("language", "last-token", "100-100", 1.0, null), ("language", "last-token", "80-90", 1.0, null),
            ("language", "mean", "100-100", 1.0, null), ("language", "last-token", "0-0", 1.0, null),
            ("theory-of-mind", "last-token", "100-100", 1.0, null), ("multiple-demand", "last-token", "100-100", 1.0, null),
            ("language", "last-token", "0-0", null, 10), ("language", "last-token", "80-90", null, 10),
        })
        {
            var key = new MaskCacheKey(MaskCacheKey.ModelIdOf("/some/dir/tiny-gpt2"), network, pooling, range, perc, nunits, true);
            produced.Add(key.MaskFileName);
            produced.Add(key.PValuesFileName);
        }
        Assert.Equal(expected, produced);
    }

    [Theory]
    [InlineData("meta-llama/Llama-3.2-1B", "Llama-3.2-1B")]
    [InlineData("gpt2", "gpt2")]
    [InlineData("/models/tiny-gpt2/", "tiny-gpt2")] // Python would give "": a trailing slash is ignored here
    [InlineData("org/name@v1", "name@v1")]
    public void ModelIdIsTheBasename(string name, string id) => Assert.Equal(id, MaskCacheKey.ModelIdOf(name));

    [Theory]
    [InlineData("100-100", true, false)]
    [InlineData("0-0", false, true)]
    [InlineData("80-90", false, false)]
    public void RangesParse(string text, bool top, bool bottom)
    {
        var range = LocalizeRange.Parse(text);
        Assert.Equal((top, bottom), (range.IsTop, range.IsBottom));
        Assert.Equal(text, range.Text);
    }

    [Theory]
    [InlineData("100")]
    [InlineData("a-b")]
    [InlineData("10-20-30")]
    [InlineData("90-80")]
    [InlineData("50-120")]
    [InlineData("")]
    public void MalformedRangesAreUsageErrors(string text)
    {
        var e = Assert.Throws<LlmLocException>(() => LocalizeRange.Parse(text));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.DoesNotContain('\n', e.Message);
    }
}
