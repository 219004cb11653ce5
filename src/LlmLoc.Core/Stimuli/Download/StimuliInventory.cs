using System.Text.RegularExpressions;

namespace LlmLoc.Stimuli.Download;

/// <summary>Counts the localizer items present in a stimuli folder (for `llmloc stimuli list`).</summary>
public static partial class StimuliInventory
{
    /// <summary>
    /// One row per network and condition: language S (sentences) and N (nonword lists) rows of
    /// stimuli/language/*.csv (column stim14), theory-of-mind b (false-belief) and p (false-photograph) stories of
    /// stimuli/tom/tomloc. A missing folder gives 0 items; a CSV without a stim14 column is an input error.
    /// </summary>
    public static IReadOnlyList<(string network, string condition, int items, string path)> Describe(string stimuliDir)
    {
        var language = Path.Combine(stimuliDir, LanguageStimuli.FolderName);
        var tom = Path.Combine(stimuliDir, TomStimuli.FolderName);
        var (sentences, nonwords) = CountLanguage(language);
        return
        [
            ("language", "S", sentences, language),
            ("language", "N", nonwords, language),
            ("theory-of-mind", "b", CountStories(tom, 'b'), tom),
            ("theory-of-mind", "p", CountStories(tom, 'p'), tom),
        ];
    }

    static (int sentences, int nonwords) CountLanguage(string folder)
    {
        if (!Directory.Exists(folder)) return (0, 0);
        int sentences = 0, nonwords = 0;
        foreach (var csv in Directory.EnumerateFiles(folder, "*.csv"))
        {
            // The same reader as the localizer, so `stimuli list` counts what `localize` will use.
            var table = CsvTable.Read(csv);
            int column = table.ColumnIndex("stim14");
            if (column < 0)
                throw new LlmLocException(
                    $"{csv} has no stim14 column (S/N condition); replace it with the original localizer CSV " +
                    "(llmloc stimuli download)", ExitCodes.InputError);
            foreach (var (_, fields) in table.Rows)
            {
                var condition = column < fields.Length ? fields[column] : "";
                if (condition == "S") sentences++;
                else if (condition == "N") nonwords++;
            }
        }
        return (sentences, nonwords);
    }

    static int CountStories(string folder, char condition) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*_story.txt")
                .Select(Path.GetFileName)
                .Count(name => StoryFile().Match(name!) is { Success: true } m && m.Groups[1].Value[0] == condition)
            : 0;

    [GeneratedRegex(@"^[0-9]+([bp])_story\.txt$")]
    private static partial Regex StoryFile();
}
