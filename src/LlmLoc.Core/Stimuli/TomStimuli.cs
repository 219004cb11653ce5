using LlmLoc.Numerics;

namespace LlmLoc.Stimuli;

/// <summary>
/// The theory-of-mind localizer of the original's <c>TOMLocDataset</c>: 10 false-belief stories (<c>{i}b_*</c>,
/// positive) and 10 false-photograph stories (<c>{i}p_*</c>, negative) from <c>&lt;dir&gt;/tom/tomloc</c>, each formatted as
/// instruction, story, question with True/False options, and an answer.
/// </summary>
public static class TomStimuli
{
    /// <summary>Where the stories live under the stimuli folder (the download's layout and the original's path).</summary>
    public const string FolderName = "tom/tomloc";
    public const int StoriesPerCondition = 10;
    static readonly string[] Answers = ["True", "False"];

    const string Instruction =
        "In this experiment, you will read a series of sentences and then answer True/False questions about them. " +
        "Press button 1 to answer 'true' and button 2 to answer 'false'.";

    /// <summary>
    /// The original draws every answer with an unseeded <c>np.random.choice(["True", "False"])</c>; llmloc draws them
    /// from numpy's legacy generator seeded with <paramref name="seed"/>, in the same order (positive's 10, then
    /// negative's 10), which is what the original produces right after <c>np.random.seed(seed)</c>.
    /// </summary>
    public static LocalizerStimuli Load(string stimuliDir, int seed)
    {
        if (seed < 0)
            throw new LlmLocException($"seed {seed} is negative; numpy seeds must be between 0 and 2**32 - 1: pass a non-negative --seed", ExitCodes.Usage);
        var rng = new NumpyLegacyRandom((uint)seed);
        string[] positive = Enumerable.Range(0, StoriesPerCondition).Select(_ => rng.Choice(Answers)).ToArray();
        string[] negative = Enumerable.Range(0, StoriesPerCondition).Select(_ => rng.Choice(Answers)).ToArray();
        return Load(stimuliDir, positive, negative);
    }

    /// <summary>The stimuli with the given answers (10 each, "True" or "False").</summary>
    public static LocalizerStimuli Load(string stimuliDir, IReadOnlyList<string> positiveAnswers, IReadOnlyList<string> negativeAnswers)
    {
        if (positiveAnswers.Count != StoriesPerCondition || negativeAnswers.Count != StoriesPerCondition)
            throw new ArgumentException($"need {StoriesPerCondition} answers per condition");
        string folder = Path.Combine(stimuliDir, FolderName);
        return new LocalizerStimuli(Build(folder, 'b', positiveAnswers), Build(folder, 'p', negativeAnswers));
    }

    static string[] Build(string folder, char condition, IReadOnlyList<string> answers)
    {
        var texts = new string[StoriesPerCondition];
        for (int i = 0; i < StoriesPerCondition; i++)
        {
            string story = ReadStory(RequireFile(folder, $"{i + 1}{condition}_story.txt"));
            string question = ReadQuestion(RequireFile(folder, $"{i + 1}{condition}_question.txt"));
            texts[i] = PythonText.Strip($"{Instruction}\nStory: {story}\nQuestion: {question}\nAnswer: {answers[i]}");
        }
        return texts;
    }

    /// <summary>Every line stripped, joined by single spaces.</summary>
    static string ReadStory(string path) => string.Join(' ', PythonText.ReadLines(PythonText.ReadText(path)).Select(PythonText.Strip));

    /// <summary>The first paragraph with its newlines removed, then the True/False options.</summary>
    static string ReadQuestion(string path)
    {
        string text = PythonText.ReadText(path);
        int paragraphEnd = text.IndexOf("\n\n", StringComparison.Ordinal);
        string question = (paragraphEnd < 0 ? text : text[..paragraphEnd]).Replace("\n", "");
        return $"{question}\nOptions:\n- True\n- False";
    }

    static string RequireFile(string folder, string name)
    {
        string path = Path.Combine(folder, name);
        if (!File.Exists(path))
            throw new LlmLocException(
                $"theory-of-mind stimuli not found: '{path}' is missing; run `llmloc stimuli download --network theory-of-mind` " +
                $"or pass --stimuli-dir <folder containing {FolderName}/>");
        return path;
    }
}
