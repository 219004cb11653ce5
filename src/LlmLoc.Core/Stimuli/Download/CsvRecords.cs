using System.Text;

namespace LlmLoc.Stimuli.Download;

/// <summary>
/// A small RFC 4180 reader (comma separator, double-quoted fields with "" escapes and embedded newlines), enough to
/// count localizer rows the way pandas.read_csv sees them.
/// </summary>
internal static class CsvRecords
{
    public static IEnumerable<IReadOnlyList<string>> Parse(TextReader reader)
    {
        var record = new List<string>();
        var field = new StringBuilder();
        bool inQuotes = false, fieldStarted = false;
        int c;
        while ((c = reader.Read()) != -1)
        {
            var ch = (char)c;
            if (inQuotes)
            {
                if (ch != '"') field.Append(ch);
                else if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                else inQuotes = false;
                continue;
            }
            switch (ch)
            {
                case '"' when field.Length == 0:
                    inQuotes = true;
                    fieldStarted = true;
                    break;
                case ',':
                    record.Add(field.ToString());
                    field.Clear();
                    fieldStarted = true;
                    break;
                case '\r':
                    break; // CRLF line ends: the '\n' closes the record
                case '\n':
                    if (fieldStarted || field.Length > 0 || record.Count > 0)
                    {
                        record.Add(field.ToString());
                        yield return record;
                    }
                    record = [];
                    field.Clear();
                    fieldStarted = false;
                    break;
                default:
                    field.Append(ch);
                    fieldStarted = true;
                    break;
            }
        }
        if (fieldStarted || field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            yield return record;
        }
    }
}
