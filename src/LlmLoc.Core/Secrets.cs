using System.Text.RegularExpressions;

namespace LlmLoc;

/// <summary>Removes credentials from text meant for the terminal or a log: the user:password of a URL
/// (HF_ENDPOINT=https://user:pass@mirror) and Hugging Face tokens (hf_…).</summary>
public static partial class Secrets
{
    public static string Redact(string text) => Token().Replace(UserInfo().Replace(text, "://***@"), "hf_***");

    /// <summary>A URL as it may be printed or stored: its user:password (and any token in it) masked.</summary>
    public static string Redact(Uri url) => Redact(url.ToString());

    [GeneratedRegex(@"://[^/@\s]+@")]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"\bhf_[A-Za-z0-9]{8,}")]
    private static partial Regex Token();
}
