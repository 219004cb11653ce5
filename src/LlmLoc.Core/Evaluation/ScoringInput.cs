namespace LlmLoc.Evaluation;

/// <summary>
/// A token sequence to score: <see cref="Ids"/> = context + text tokens; the tokens at positions ≥
/// <see cref="FirstScored"/> (at least 1: position 0 has nothing to be predicted from) are scored, each as
/// log p(token | all previous ids).
/// </summary>
public sealed record ScoringInput(int[] Ids, int FirstScored)
{
    public int ScoredCount => Math.Max(0, Ids.Length - Math.Max(1, FirstScored));
}
