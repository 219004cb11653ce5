using LlmLoc.Masks;
using LlmLoc.Reporting;
using System.Diagnostics;
using LlmLoc.Lesion;
using LlmLoc.Models;
using LlmLoc.Tokenization;

namespace LlmLoc.Evaluation;

/// <summary>The tasks of one evaluate run: minimal pairs, text documents and BLiMP pairs (any may be empty).</summary>
public sealed record EvaluationTasks(IReadOnlyList<MinimalPair> Pairs, IReadOnlyList<string> Documents, IReadOnlyList<MinimalPair> Blimp);

/// <summary>
/// Scores every task under every lesion condition: tokenizes once, then per condition installs the lesion
/// (block outputs × (1 − mask)), scores all sequences in batches and removes it again.
/// </summary>
public static class Evaluator
{
    public static EvaluationResult Run(string modelName, ICausalLanguageModel model, HfTokenizer tokenizer,
        IReadOnlyList<LesionCondition> conditions, EvaluationTasks tasks, int batchSize, int? maxTokensPerWindow,
        TextWriter? progress = null, int minimumItems = 1)
    {
        var context = new ScoringContext(tokenizer);
        int windowSize = TextWindows.WindowSize(model.Config, tokenizer.ModelMaxLength, maxTokensPerWindow);

        List<ScoringInput> Sentences(IEnumerable<MinimalPair> pairs) => pairs.SelectMany(p => new[] { p.Good, p.Bad })
            .Select(s => context.Wrap(tokenizer.Encode(s, addSpecialTokens: false))).ToList();
        var sentences = Sentences(tasks.Pairs);
        // BLiMP is scored paradigm by paradigm, so progress shows which paradigm runs.
        var blimp = tasks.Blimp.GroupBy(p => p.Paradigm!).Select(g => (Paradigm: g.Key, Items: g.ToList(), Inputs: Sentences(g))).ToList();
        var documents = tasks.Documents.Select(d => tokenizer.Encode(d, addSpecialTokens: false)).ToList();
        var windows = TextWindows.Split(documents, context, windowSize);
        ModelInputs.Check(model.Config, sentences.Select(s => (IReadOnlyList<int>)s.Ids), "minimal-pair sentence");
        ModelInputs.Check(model.Config, windows.Select(w => (IReadOnlyList<int>)w.Input.Ids), "text window");
        foreach (var paradigm in blimp)
            ModelInputs.Check(model.Config, paradigm.Inputs.Select(s => (IReadOnlyList<int>)s.Ids), $"BLiMP {paradigm.Paradigm} sentence");
        if (tasks.Documents.Count > 0 && windows.Count == 0)
            throw new LlmLocException("the --text file gives no token to score: give a longer text");
        if (tasks.Documents.Count > 0 && windows.Count < minimumItems)
            throw new LlmLocException($"the --text file gives {windows.Count} window of {windowSize} tokens: a bootstrap interval needs at least {minimumItems} windows; give a longer text or a smaller --max-tokens-per-window");

        var results = new List<ConditionResult>();
        foreach (var condition in conditions)
        {
            using var lesion = condition.Mask is null ? null : new UnitLesion(model, condition.Mask);
            string label = condition.Seed is { } s && condition.Name == Networks.Random ? $"{condition.Name} (seed {s})" : condition.Name;

            var pairScores = new List<PairScore>();
            if (sentences.Count > 0)
            {
                var logps = Score(model, sentences, tokenizer.PadTokenId, batchSize, progress, $"{label}: minimal pairs", "sentences");
                for (int i = 0; i < tasks.Pairs.Count; i++)
                    pairScores.Add(new PairScore(condition.Name, condition.Seed, i, tasks.Pairs[i].Phenomenon, logps[2 * i].Sum(), logps[2 * i + 1].Sum())
                        { SentenceGood = tasks.Pairs[i].Good, SentenceBad = tasks.Pairs[i].Bad, Mask = condition.MaskName });
            }

            var windowScores = new List<WindowScore>();
            if (windows.Count > 0)
            {
                var logps = Score(model, windows.Select(w => w.Input).ToList(), tokenizer.PadTokenId, batchSize, progress, $"{label}: text", "windows");
                for (int i = 0; i < windows.Count; i++)
                    windowScores.Add(new WindowScore(condition.Name, condition.Seed, windows[i].Document, i, logps[i].Length, -logps[i].Average())
                        { Mask = condition.MaskName });
            }
            var blimpScores = new List<PairScore>();
            for (int b = 0; b < blimp.Count; b++)
            {
                var (paradigm, items, inputs) = blimp[b];
                var logps = Score(model, inputs, tokenizer.PadTokenId, batchSize, progress, $"{label}: BLiMP {b + 1}/{blimp.Count} {paradigm}", "sentences");
                for (int i = 0; i < items.Count; i++)
                    blimpScores.Add(new PairScore(condition.Name, condition.Seed, i, items[i].Phenomenon, logps[2 * i].Sum(), logps[2 * i + 1].Sum(), paradigm)
                        { SentenceGood = items[i].Good, SentenceBad = items[i].Bad, Mask = condition.MaskName });
            }
            results.Add(new ConditionResult(condition, pairScores, windowScores, blimpScores));
        }
        return new EvaluationResult(modelName, windowSize, context.ContextIds, results);
    }

    static double[][] Score(ICausalLanguageModel model, IReadOnlyList<ScoringInput> inputs, int padId, int batchSize,
        TextWriter? progress, string what, string unit)
    {
        if (progress is null) return SequenceScorer.TokenLogProbs(model, inputs, padId, batchSize, null);
        // The scorer reports the running count; the bar takes increments.
        return StepProgress.Run($"{what} ({unit})", inputs.Count, progress, advance =>
        {
            int reported = 0;
            return SequenceScorer.TokenLogProbs(model, inputs, padId, batchSize, done => { advance(done - reported); reported = done; });
        });
    }
}
