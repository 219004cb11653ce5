namespace LlmLoc.Stimuli;

/// <summary>The order in which the language CSV files are concatenated.</summary>
public enum CsvOrder
{
    /// <summary>By file name (ordinal), the same on every machine. llmloc's default.</summary>
    Sorted,
    /// <summary>Directory listing order, as the original's <c>glob</c> (readdir order: differs between machines and copies).</summary>
    FileSystem,
}
