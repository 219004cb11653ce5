using LlmLoc.Models;

namespace LlmLoc.Evaluation;

/// <summary>One window of a document: the text tokens it scores, with the context in front.</summary>
public sealed record TextWindow(int Document, int Window, ScoringInput Input);

/// <summary>
/// Cuts documents into non-overlapping windows: each document's tokens (no special tokens) are split into
/// consecutive chunks of (window size − context length) tokens; each chunk is scored after the scoring context
/// (BOS or &lt;|endoftext|&gt;), so every token is predicted exactly once and context restarts at each window.
/// Windows never span two documents.
/// </summary>
public static class TextWindows
{
    /// <summary>Window size when --max-tokens-per-window is not given (if the model's context is not smaller): whole
    /// contexts (131,072 tokens for Llama-3.2) would cost gigabytes of attention and activations per window.</summary>
    public const int DefaultWindow = 2048;

    /// <summary>min(tokenizer model_max_length, the model's position limit, the cap or else <see cref="DefaultWindow"/>).</summary>
    public static int WindowSize(ModelConfig config, int? modelMaxLength, int? cap)
    {
        int size = ModelInputs.ContextLength(config);
        if (modelMaxLength is { } m) size = Math.Min(size, m);
        size = Math.Min(size, cap ?? DefaultWindow);
        return size;
    }

    public static IReadOnlyList<TextWindow> Split(IReadOnlyList<IReadOnlyList<int>> documents, ScoringContext context, int windowSize)
    {
        int perWindow = context.TokensPerWindow(windowSize);
        // Without a context token the first token of a window is not scored, so a window needs two tokens.
        int minimum = context.ContextIds.Length == 0 ? 2 : 1;
        if (perWindow < minimum)
            throw new LlmLocException($"a window of {windowSize} tokens leaves no room to score text: give --max-tokens-per-window of at least {context.ContextIds.Length + minimum}", ExitCodes.Usage);
        var windows = new List<TextWindow>();
        for (int d = 0; d < documents.Count; d++)
        {
            var tokens = documents[d];
            for (int start = 0; start < tokens.Count; start += perWindow)
            {
                var chunk = tokens.Skip(start).Take(perWindow).ToArray();
                var input = context.Wrap(chunk);
                if (input.ScoredCount > 0)
                    windows.Add(new TextWindow(d, windows.Count, input));
            }
        }
        return windows;
    }
}
