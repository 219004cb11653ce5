namespace LlmLoc.Stimuli;

/// <summary>The two stimulus sets of a localizer: positive (e.g. sentences) and negative (e.g. non-word strings).</summary>
public sealed record LocalizerStimuli(IReadOnlyList<string> Positive, IReadOnlyList<string> Negative);
