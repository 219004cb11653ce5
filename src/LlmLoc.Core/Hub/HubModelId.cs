using System.Text.RegularExpressions;

namespace LlmLoc.Hub;

/// <summary>A validated hub model id ("gpt2", "org/name") plus the revision to fetch ("main" unless "@rev" was given).</summary>
internal sealed partial record HubModelId(string RepoId, string Revision)
{
    public const string DefaultRevision = "main";
    const int MaxRepoIdLength = 96; // huggingface_hub's validate_repo_id limit

    /// <summary>Folder name of the repo in the cache: "models--org--name" (huggingface_hub's repo_folder_name).</summary>
    public string CacheFolderName => "models--" + RepoId.Replace("/", "--");

    public bool RevisionIsCommit => CommitHash().IsMatch(Revision);

    /// <summary>
    /// Parses "org/name[@revision]". Anything that is really a path, or could escape the cache folder or the URL
    /// scheme (absolute paths, "..", "~", backslashes, "--", odd characters), is rejected before any request.
    /// </summary>
    public static HubModelId Parse(string modelName)
    {
        string Reject(string why) => throw new LlmLocException(
            $"'{modelName}' is neither an existing model folder nor a valid Hugging Face model id: {why}; " +
            "pass a folder that exists or an id like meta-llama/Llama-3.2-1B (optionally @revision)", ExitCodes.InputError);

        if (string.IsNullOrWhiteSpace(modelName)) Reject("it is empty");
        if (modelName.Contains('\\')) Reject("it contains a backslash");
        if (Path.IsPathRooted(modelName) || modelName.StartsWith('~') || modelName.StartsWith("./", StringComparison.Ordinal)
            || modelName.StartsWith("../", StringComparison.Ordinal) || modelName is "." or "..")
            throw new LlmLocException(
                $"model folder '{modelName}' does not exist; give an existing folder or a Hugging Face id like org/name",
                ExitCodes.InputError);

        int at = modelName.IndexOf('@');
        string repoId = at < 0 ? modelName : modelName[..at];
        string revision = at < 0 ? DefaultRevision : modelName[(at + 1)..];

        if (repoId.Contains("..")) Reject("it contains '..'");
        if (repoId.Contains("--")) Reject("it contains '--', which the hub forbids in ids");
        if (repoId.Length > MaxRepoIdLength) Reject($"it is longer than {MaxRepoIdLength} characters");
        if (repoId.Split('/').Length > 2) Reject("it has more than one '/' (a path that does not exist?)");
        if (!RepoIdPattern().IsMatch(repoId))
            Reject("ids are 'name' or 'org/name' made of letters, digits, '-', '_' and '.', starting and ending with a letter or digit");

        if (at >= 0)
        {
            if (revision.Length == 0) Reject("the revision after '@' is empty");
            foreach (var part in revision.Split('/'))
                if (part is "" or "." or ".." || !RevisionPartPattern().IsMatch(part))
                    Reject($"revision '{revision}' is not a branch, tag or commit name");
        }
        return new HubModelId(repoId, revision);
    }

    public override string ToString() => Revision == DefaultRevision ? RepoId : $"{RepoId}@{Revision}";

    [GeneratedRegex(@"^([A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?/)?[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?$")]
    private static partial Regex RepoIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+$")]
    private static partial Regex RevisionPartPattern();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    internal static partial Regex CommitHash();
}
