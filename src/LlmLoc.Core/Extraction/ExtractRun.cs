using LlmLoc.Masks;
using System.Globalization;
using System.Text;
using LlmLoc.Evaluation;
using LlmLoc.IO;
using LlmLoc.Lesion;
using LlmLoc.Models;
using LlmLoc.Numerics;
using LlmLoc.Recording;
using LlmLoc.Reporting;
using LlmLoc.Sessions;
using LlmLoc.Tokenization;

namespace LlmLoc.Extraction;

/// <summary>What extract wrote.</summary>
public sealed record ExtractResult(string OutputFile, string ItemsFile, string? UnitsFile, int[] Shape);

/// <summary>
/// <c>llmloc extract</c>: items → tokens → the model → every block's output pooled per item (the localizer's
/// <see cref="ActivationRecorder"/>) → float32 .npy written piece by piece, so files larger than memory work; with a
/// mask only its units are kept. Then the item table and, with a mask, the units table.
/// </summary>
public static class ExtractRun
{
    /// <param name="heldBytes">Bound on the activations one recorder call holds (<see cref="HeldBytes"/>); default
    /// <see cref="SequenceScorer.GroupHiddenBytes"/> (tests make it small).</param>
    public static ExtractResult Run(ExtractOptions options, TextWriter stdout, TextWriter stderr, long heldBytes = SequenceScorer.GroupHiddenBytes)
    {
        // Cheap checks first: flags, the input, the mask — before a model is downloaded or loaded.
        options.Validate();
        AtomicFile.CheckCanWriteFile(options.OutputFile, "--output");
        AtomicFile.CheckCanWriteFile(options.ItemsPath, "--items");
        if (options.HasMask) AtomicFile.CheckCanWriteFile(options.UnitsPath, "--units");
        var items = ExtractionItems.Load(options.InputFile, options.TextColumn, options.PassageColumn, options.PassageContext);
        var mask = options.MaskRequest is { } request ? LesionMaskResolver.Resolve(request, stderr).Mask : null;
        options.Model.CheckFits(mask);

        using var session = ModelSession.Open(options.Model, stderr);
        var model = session.Model;
        int layers = model.NumLayers, hidden = model.UnitsPerLayer(options.Site);
        mask?.EnsureFits(layers, hidden);
        int[] units = mask is null ? [] : mask.SelectedIndices();
        int windowSize = TextWindows.WindowSize(model.Config, session.Tokenizer.ModelMaxLength, null);
        var tokens = Tokenize(options.InputFile, items, options.PassageContext, session.Tokenizer, windowSize, out int[] dropped);
        Models.ModelInputs.Check(model.Config, tokens, "item");

        int[] shape = mask is null ? [items.Count, layers, hidden] : [items.Count, units.Length];
        long perItem = (long)layers * hidden;
        int[] chunks = Chunks(tokens.Select(t => t.Count).ToArray(), layers, model.HiddenSize, options.BatchSize, heldBytes, unitsPerLayer: hidden);
        // The activations, the item table and the units table appear together or not at all.
        using (var outputs = new OutputSet())
        {
            StepProgress.Run($"{items.Count} items through {session.ModelId}", items.Count, stderr, done =>
            {
                outputs.Add(options.OutputFile, stream => Npy.WriteFloat32Streaming(stream, shape, append =>
                {
                    var row = new float[mask is null ? perItem : units.Length];
                    int start = 0;
                    foreach (int chunk in chunks)
                    {
                        var part = tokens.GetRange(start, chunk);
                        start += chunk;
                        double[] pooled = ActivationRecorder.Record(model, part, options.Pooling, options.BatchSize, session.Tokenizer.PadTokenId, done, options.Site);
                        for (int i = 0; i < part.Count; i++)
                        {
                            long offset = i * perItem;
                            if (mask is null)
                                for (int u = 0; u < perItem; u++) row[u] = (float)pooled[offset + u];
                            else
                                for (int k = 0; k < units.Length; k++) row[k] = (float)pooled[offset + units[k]];
                            append(row);
                        }
                    }
                }));
                return 0;
            });
            AddItemTable(outputs, options.ItemsPath, items, tokens, dropped);
            if (mask is not null) IO.TableFile.Add(outputs, options.UnitsPath, UnitRows(units, hidden));
            outputs.Commit();
        }

        stdout.WriteLine($"> Model: {options.Model.ModelName} ({layers} layers × {hidden} {options.Site.UnitsNoun()}), pooling: {options.Pooling.ToFlag()}" +
            (options.PassageContext ? ", context: earlier items of the passage" : ""));
        stdout.WriteLine($"> Saved activations ({string.Join(" × ", shape)}, float32) to {options.OutputFile}");
        stdout.WriteLine($"> Saved item table to {options.ItemsPath}");
        if (mask is not null)
            stdout.WriteLine($"> Saved units table ({units.Length} units of {mask.Source}) to {options.UnitsPath}");
        if (dropped.Any(d => d > 0))
            stderr.WriteLine($"llmloc: warning: the context of {dropped.Count(d => d > 0)} item(s) was cut at the front to fit the model's {windowSize} tokens (see context_tokens_dropped in the item table)");
        return new ExtractResult(options.OutputFile, options.ItemsPath, mask is null ? null : options.UnitsPath, shape);
    }

    /// <summary>
    /// Items per recorder call, in input order: as many consecutive items as keep <see cref="HeldBytes"/> within
    /// <paramref name="budget"/> (a single item over it goes alone). The layer-major recorder keeps every batch's hidden
    /// states of the call alive, so the tokens count, not only the pooled output. A call that is not the last ends on a
    /// multiple of the batch size when it has more than one batch, so batches stay full.
    /// </summary>
    /// <param name="unitsPerLayer">Width of the recorded site (the pooled result); default <paramref name="hidden"/>.</param>
    public static int[] Chunks(IReadOnlyList<int> tokenCounts, int layers, int hidden, int batchSize, long budget, int? unitsPerLayer = null)
    {
        var chunks = new List<int>();
        for (int start = 0; start < tokenCounts.Count;)
        {
            int count = 1, longest = tokenCounts[start];
            long tokens = longest;
            for (; start + count < tokenCounts.Count; count++)
            {
                int next = tokenCounts[start + count];
                if (HeldBytes(count + 1, tokens + next, Math.Max(longest, next), layers, hidden, unitsPerLayer ?? hidden, batchSize) > budget) break;
                tokens += next;
                longest = Math.Max(longest, next);
            }
            if (start + count < tokenCounts.Count && count > batchSize) count -= count % batchSize;
            chunks.Add(count);
            start += count;
        }
        return [.. chunks];
    }

    /// <summary>
    /// Upper bound on the bytes one recorder call over <paramref name="items"/> items of <paramref name="tokens"/> tokens
    /// (the longest <paramref name="longest"/>) holds until it ends: the float64 pooled result [items × layers × <paramref name="units"/>]
    /// and, per padded position of every batch [rows × width], its float32 hidden state, its row of the bool attention
    /// mask [rows × 1 × width × width] (at most <paramref name="longest"/> bytes) and its inputs (int64 id, int64
    /// attention mask, float32 pooling weight, bool key validity). The recorder sorts by length, so a batch after the
    /// first pads to at most the shortest item of the full batch before it: the padded positions are at most the real
    /// tokens plus one batch of the longest item. Not counted: each batch's rotary cos/sin [width × head_dim] and one
    /// batch's block temporaries.
    /// </summary>
    static long HeldBytes(int items, long tokens, int longest, int layers, int hidden, int units, int batchSize)
    {
        const int inputBytes = sizeof(long) + sizeof(long) + sizeof(float) + sizeof(bool);
        long positions = tokens + (long)Math.Min(batchSize, items) * longest;
        return items * (long)layers * units * sizeof(double) + positions * ((long)hidden * sizeof(float) + longest + inputBytes);
    }

    /// <summary>Token ids per item (special tokens as the tokenizer adds them). With a context, see
    /// <see cref="PassageContext.Tokenize"/>; an item that alone is too long is an error.</summary>
    static List<IReadOnlyList<int>> Tokenize(string path, IReadOnlyList<ExtractionItem> items, bool withContext, HfTokenizer tokenizer, int windowSize, out int[] dropped)
    {
        if (withContext)
        {
            var withPassage = PassageContext.Tokenize(items, tokenizer, windowSize, path);
            dropped = withPassage.Select(t => t.Dropped).ToArray();
            return withPassage.Select(t => t.Ids).ToList();
        }
        dropped = new int[items.Count];
        var result = new List<IReadOnlyList<int>>();
        foreach (var item in items)
        {
            var ids = tokenizer.Encode(item.Text);
            if (ids.Count > windowSize)
                throw new LlmLocException($"{path} line {item.Line} (item {item.Index}) has {ids.Count} tokens, more than the model reads ({windowSize}): shorten it");
            result.Add(ids);
        }
        return result;
    }

    /// <summary>One row per item, in the order of the activations' rows.</summary>
    public sealed class ItemRow
    {
#pragma warning disable IDE1006 // column names
        public int item { get; set; }
        public int line { get; set; }
        public string? passage { get; set; }
        public string text { get; set; } = "";
        public int tokens { get; set; }
        public int context_tokens_dropped { get; set; }
#pragma warning restore IDE1006
    }

    /// <summary>One row per column of a masked extraction: which layer and unit it is (both 0-based, as --stats-out).</summary>
    public sealed class UnitRow
    {
#pragma warning disable IDE1006 // column names
        public int column { get; set; }
        public int layer { get; set; }
        public int unit { get; set; }
#pragma warning restore IDE1006
    }

    /// <summary>Stages the item table: its own columns, then the input's other columns as text.</summary>
    internal static void AddItemTable(IO.OutputSet outputs, string path, IReadOnlyList<ExtractionItem> items, IReadOnlyList<IReadOnlyList<int>> tokens, int[] dropped) =>
        IO.TableFile.Add(outputs, path, ItemRows(items, tokens, dropped), ExtractionItems.ExtraColumns(items),
            (i, column) => items[i].Extra is { } extra && extra.TryGetValue(column, out var value) ? value : "");

    static List<ItemRow> ItemRows(IReadOnlyList<ExtractionItem> items, IReadOnlyList<IReadOnlyList<int>> tokens, int[] dropped) =>
        items.Select(i => new ItemRow
        {
            item = i.Index, line = i.Line, passage = i.Passage, text = i.Text, tokens = tokens[i.Index].Count, context_tokens_dropped = dropped[i.Index],
        }).ToList();

    static List<UnitRow> UnitRows(int[] units, int hidden) =>
        units.Select((u, k) => new UnitRow { column = k, layer = u / hidden, unit = u % hidden }).ToList();
}
