using System.Globalization;
using LlmLoc.Numerics;

namespace LlmLoc.Stimuli;

/// <summary>
/// The multiple-demand localizer of the original's <c>MDLocDataset</c>: 100 hard (three-digit) and 100 easy
/// (one/two-digit) addition or subtraction prompts. Like the original it seeds numpy's legacy generator with 42
/// before each set, drawing per prompt randint, randint, then choice of + or −.
/// </summary>
public static class MdStimuli
{
    public const int PromptsPerCondition = 100;
    const uint Seed = 42;
    static readonly string[] Operators = ["+", "-"];

    public static LocalizerStimuli Generate() =>
        new(Prompts(low: 100, high: 200), Prompts(low: 1, high: 20));

    static string[] Prompts(long low, long high)
    {
        var rng = new NumpyLegacyRandom(Seed);
        var prompts = new string[PromptsPerCondition];
        for (int i = 0; i < PromptsPerCondition; i++)
        {
            long a = rng.RandInt(low, high);
            long b = rng.RandInt(low, high);
            string op = rng.Choice(Operators);
            long answer = op == "+" ? a + b : a - b;
            prompts[i] = string.Create(CultureInfo.InvariantCulture, $"Question: Solve {a} {op} {b}?\nAnswer: {answer}");
        }
        return prompts;
    }
}
