using System.Text.Json;
using LlmLoc.Numerics;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Numerics;

/// <summary>Streams of numpy's legacy RandomState, compared with stats/rng/legacy_rng.json (exact).</summary>
public class NumpyLegacyRandomTests
{
    static readonly JsonElement Streams = JsonDocument.Parse(File.ReadAllText(Shared.Fixture("stats", "rng", "legacy_rng.json"))).RootElement;

    public static TheoryData<uint> Seeds => new() { 0u, 42u, 123u };

    static JsonElement Expected(uint seed, string name) => Streams.GetProperty(seed.ToString()).GetProperty(name);

    [Theory, MemberData(nameof(Seeds))]
    public void RandIntMatchesNumpy(uint seed)
    {
        var rng = new NumpyLegacyRandom(seed);
        Assert.Equal(Expected(seed, "randint_100_200").EnumerateArray().Select(e => e.GetInt64()), Enumerable.Range(0, 10).Select(_ => rng.RandInt(100, 200)));
        rng.Seed(seed);
        Assert.Equal(Expected(seed, "randint_1_20").EnumerateArray().Select(e => e.GetInt64()), Enumerable.Range(0, 10).Select(_ => rng.RandInt(1, 20)));
    }

    [Theory, MemberData(nameof(Seeds))]
    public void ChoiceMatchesNumpy(uint seed)
    {
        var rng = new NumpyLegacyRandom(seed);
        Assert.Equal(Expected(seed, "choice_plus_minus").EnumerateArray().Select(e => e.GetString()), Enumerable.Range(0, 10).Select(_ => rng.Choice(["+", "-"])));
        rng.Seed(seed);
        Assert.Equal(Expected(seed, "choice_true_false").EnumerateArray().Select(e => e.GetString()), Enumerable.Range(0, 10).Select(_ => rng.Choice(["True", "False"])));
    }

    [Theory, MemberData(nameof(Seeds))]
    public void ConsecutivePermutationsMatchNumpy(uint seed)
    {
        var rng = new NumpyLegacyRandom(seed);
        foreach (var expected in Expected(seed, "permutation_10").EnumerateArray())
            Assert.Equal(expected.EnumerateArray().Select(e => e.GetInt64()), rng.Permutation(10));
    }

    [Theory, MemberData(nameof(Seeds))]
    public void ChoiceWithoutReplacementIsPermutationPrefix(uint seed)
    {
        var rng = new NumpyLegacyRandom(seed);
        long[] thousand = Enumerable.Range(0, 1000).Select(i => (long)i).ToArray();
        Assert.Equal(Expected(seed, "choice_arange1000_size20_noreplace").EnumerateArray().Select(e => e.GetInt64()), rng.ChoiceWithoutReplacement(thousand, 20));
        rng.Seed(seed);
        Assert.Equal(Expected(seed, "choice_arange10_size10_noreplace").EnumerateArray().Select(e => e.GetInt64()), rng.ChoiceWithoutReplacement(thousand[..10], 10));
    }

    [Theory, MemberData(nameof(Seeds))]
    public void InterleavedDrawsMatchMdDataset(uint seed)
    {
        var rng = new NumpyLegacyRandom(seed);
        foreach (var triple in Expected(seed, "md_interleaved").EnumerateArray())
        {
            var expected = triple.EnumerateArray().ToArray();
            Assert.Equal(expected[0].GetInt64(), rng.RandInt(100, 200));
            Assert.Equal(expected[1].GetInt64(), rng.RandInt(100, 200));
            Assert.Equal(expected[2].GetString(), rng.Choice(["+", "-"]));
        }
    }

    [Fact]
    public void SampleLargerThanPopulationIsRejected()
    {
        var rng = new NumpyLegacyRandom(0);
        Assert.Throws<ArgumentException>(() => rng.ChoiceWithoutReplacement([1, 2, 3], 4));
        Assert.Empty(rng.ChoiceWithoutReplacement([], 0));
    }

    [Fact]
    public void WideRangesUseSixtyFourBitDraws()
    {
        // A range above 2^32 must consume two 32-bit words per attempt and stay inside the bounds.
        var rng = new NumpyLegacyRandom(7);
        for (int i = 0; i < 100; i++)
        {
            long v = rng.RandInt(-(1L << 40), 1L << 40);
            Assert.InRange(v, -(1L << 40), (1L << 40) - 1);
        }
        Assert.Equal(5, new NumpyLegacyRandom(1).RandInt(5, 6));
    }
}
