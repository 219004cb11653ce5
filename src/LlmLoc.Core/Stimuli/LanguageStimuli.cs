namespace LlmLoc.Stimuli;

/// <summary>
/// The language localizer of the original's <c>LangLocDataset</c>: every <c>*.csv</c> in <c>&lt;dir&gt;/language</c>
/// concatenated, each row's words stim2..stim13 lower-cased and joined by single spaces (then stripped), rows with
/// stim14 == "S" positive (sentences) and "N" negative (non-word lists).
/// </summary>
public static class LanguageStimuli
{
    public const string FolderName = "language";
    const int FirstWordColumn = 2, LastWordColumn = 13, ConditionColumn = 14;

    /// <summary>pandas.read_csv's default missing-value markers: such a cell becomes NaN and the original crashes on it.</summary>
    static readonly HashSet<string> PandasMissingValues = new(StringComparer.Ordinal)
    {
        "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
        "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
    };

    /// <param name="stimuliDir">Folder holding <c>language/</c>.</param>
    /// <remarks>Files are read sorted by name: the original's glob gives directory order, which differs between machines.</remarks>
    public static LocalizerStimuli Load(string stimuliDir)
    {
        string folder = Path.Combine(stimuliDir, FolderName);
        if (!Directory.Exists(folder))
            throw new LlmLocException(
                $"language stimuli not found: '{folder}' does not exist; run `llmloc stimuli download --network language` " +
                "or pass --stimuli-dir <folder containing language/>");
        // glob('*.csv') skips hidden files and matches the extension case-sensitively.
        var files = Directory.EnumerateFiles(folder)
            .Where(f => Path.GetFileName(f) is var name && !name.StartsWith('.') && name.EndsWith(".csv", StringComparison.Ordinal))
            .ToList();
        files.Sort((a, b) => string.CompareOrdinal(Path.GetFileName(a), Path.GetFileName(b)));
        if (files.Count == 0)
            throw new LlmLocException(
                $"language stimuli not found: '{folder}' holds no .csv files; run `llmloc stimuli download --network language` " +
                "or pass --stimuli-dir <folder containing language/>");
        return LoadFiles(files);
    }

    /// <summary>The CSV files concatenated in exactly the given order.</summary>
    public static LocalizerStimuli LoadFiles(IEnumerable<string> csvPaths)
    {
        var positive = new List<string>();
        var negative = new List<string>();
        foreach (string path in csvPaths)
        {
            var table = CsvTable.Read(path);
            int[] wordColumns = Enumerable.Range(FirstWordColumn, LastWordColumn - FirstWordColumn + 1)
                .Select(k => RequireColumn(table, $"stim{k}")).ToArray();
            int conditionColumn = RequireColumn(table, $"stim{ConditionColumn}");
            foreach (var (line, fields) in table.Rows)
            {
                var words = new string[wordColumns.Length];
                for (int w = 0; w < wordColumns.Length; w++)
                {
                    string cell = Cell(fields, wordColumns[w]);
                    if (PandasMissingValues.Contains(cell))
                        throw new LlmLocException(
                            $"'{path}' line {line}: column stim{FirstWordColumn + w} is empty or a missing-value marker ('{cell}'), " +
                            "which the original cannot read either; put a word in every cell stim2..stim13");
                    words[w] = cell.ToLowerInvariant();
                }
                string sentence = PythonText.Strip(string.Join(' ', words));
                switch (Cell(fields, conditionColumn))
                {
                    case "S": positive.Add(sentence); break;
                    case "N": negative.Add(sentence); break;
                }
            }
        }
        return new LocalizerStimuli(positive, negative);
    }

    static string Cell(string[] fields, int column) => column < fields.Length ? fields[column] : "";

    static int RequireColumn(CsvTable table, string name)
    {
        int index = table.ColumnIndex(name);
        if (index < 0)
            throw new LlmLocException(
                $"'{table.Path}' has no column '{name}': language stimuli CSVs need columns stim2..stim14 " +
                "(words stim2..stim13, condition stim14 = S or N); use the original langloc files (`llmloc stimuli download --network language`)");
        return index;
    }
}
