namespace LlmLoc.Tokenization;

/// <summary>A token matched verbatim in the input before the model runs (HF "added token"), e.g. &lt;|endoftext|&gt; or &lt;s&gt;.</summary>
internal sealed record AddedToken(
    int Id, string Content, bool Special, bool LStrip = false, bool RStrip = false, bool SingleWord = false);
