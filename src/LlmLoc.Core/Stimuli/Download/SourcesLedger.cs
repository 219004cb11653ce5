using System.Text;

using LlmLoc.IO;

namespace LlmLoc.Stimuli.Download;

/// <summary>
/// stimuli/SOURCES.sha256 in sha256sum format ("&lt;hex&gt;  &lt;path&gt;", paths relative to the stimuli folder): the
/// fetched archives (deleted after extraction, as the original scripts do) and every file kept from them, so
/// `sha256sum -c --ignore-missing SOURCES.sha256` checks the stimuli later.
/// </summary>
internal sealed class SourcesLedger
{
    public const string FileName = "SOURCES.sha256";

    readonly SortedDictionary<string, string> _hashes = new(StringComparer.Ordinal);
    readonly string _path;

    SourcesLedger(string path) => _path = path;

    public static SourcesLedger Load(string stimuliDir)
    {
        var ledger = new SourcesLedger(Path.Combine(stimuliDir, FileName));
        if (!File.Exists(ledger._path)) return ledger;
        foreach (var line in File.ReadAllLines(ledger._path))
        {
            // sha256sum writes "<64 hex><space><space or '*'><path>".
            if (line.Length < 67 || line[64] != ' ') continue;
            ledger._hashes[line[66..]] = line[..64].ToLowerInvariant();
        }
        return ledger;
    }

    public string? Recorded(string relativePath) => _hashes.GetValueOrDefault(relativePath);

    public void Record(string relativePath, string sha256Hex) => _hashes[relativePath] = sha256Hex;

    public void Save()
    {
        var text = new StringBuilder();
        foreach (var (path, hash) in _hashes) text.Append(hash).Append("  ").Append(path).Append('\n');
        AtomicFile.WriteAllText(_path, text.ToString());
    }
}
