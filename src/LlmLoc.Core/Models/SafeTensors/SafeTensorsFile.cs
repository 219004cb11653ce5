using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models.SafeTensors;

/// <summary>
/// Reads a .safetensors file: an 8-byte little-endian header length, a JSON header (name → dtype, shape,
/// data_offsets relative to the end of the header; optional <c>__metadata__</c>), then the raw data.
/// Tensors are read from the file straight into the destination tensor's memory, or viewed in place through a
/// private (copy-on-write) memory map of the file (<see cref="MapView"/>).
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>Headers larger than this are refused (the format's own reference reader uses the same limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Default largest single read; tensors above it are read in pieces (spans are int-indexed).</summary>
    public const long DefaultChunkBytes = 1L << 30;

    readonly SafeFileHandle _handle;
    // One private map of the whole file per element type (views need a typed base); null after a failed map.
    readonly Dictionary<ScalarType, Tensor?> _maps = [];

    public string Path { get; }
    public IReadOnlyDictionary<string, SafeTensorsEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>Largest single read of this file.</summary>
    public long ChunkBytes { get; }

    SafeTensorsFile(string path, SafeFileHandle handle, Dictionary<string, SafeTensorsEntry> entries, Dictionary<string, string> metadata, long chunkBytes)
    {
        Path = path; _handle = handle; Entries = entries; Metadata = metadata; ChunkBytes = chunkBytes;
    }

    public static SafeTensorsFile Open(string path, long chunkBytes = DefaultChunkBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        SafeFileHandle handle;
        try { handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LlmLocException($"cannot open checkpoint '{path}': {e.Message}; check the path and permissions");
        }
        try
        {
            var (entries, metadata) = ReadHeader(path, handle);
            return new SafeTensorsFile(path, handle, entries, metadata, chunkBytes);
        }
        catch { handle.Dispose(); throw; }
    }

    static LlmLocException Corrupt(string path, string what) =>
        new($"corrupt safetensors file '{path}': {what}; re-download the checkpoint", ExitCodes.RuntimeError);

    static (Dictionary<string, SafeTensorsEntry>, Dictionary<string, string>) ReadHeader(string path, SafeFileHandle handle)
    {
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8) throw Corrupt(path, $"file is {fileLength} bytes, shorter than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        ReadExactly(handle, lengthBytes, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes) throw Corrupt(path, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
        if (8 + (long)headerLength > fileLength) throw Corrupt(path, $"header length {headerLength} runs past the end of the {fileLength}-byte file");

        var header = new byte[headerLength];
        ReadExactly(handle, header, 8);
        long dataStart = 8 + (long)headerLength, dataLength = fileLength - dataStart;

        var entries = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); IO.JsonStrings.Check(doc.RootElement); }
        catch (JsonException e) { throw Corrupt(path, "header is not valid JSON (" + e.Message + ")"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Corrupt(path, "header is not a JSON object");
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Corrupt(path, "__metadata__ is not an object");
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                entries[prop.Name] = ParseEntry(path, prop, dataStart, dataLength);
            }
        }
        CheckNoOverlap(path, entries.Values);
        return (entries, metadata);
    }

    /// <summary>Two tensors sharing bytes would alias each other's weights (the format forbids it; so does its reference reader).</summary>
    static void CheckNoOverlap(string path, IEnumerable<SafeTensorsEntry> entries)
    {
        SafeTensorsEntry? previous = null;
        foreach (var entry in entries.Where(e => e.ByteLength > 0).OrderBy(e => e.Begin))
        {
            if (previous is not null && entry.Begin < previous.End)
                throw Corrupt(path, $"tensors '{previous.Name}' and '{entry.Name}' overlap in the data section");
            previous = entry;
        }
    }

    static SafeTensorsEntry ParseEntry(string path, JsonProperty prop, long dataStart, long dataLength)
    {
        var name = prop.Name;
        try
        {
            var v = prop.Value;
            var dtype = v.GetProperty("dtype").GetString() ?? "";
            if (!SafeTensorsDTypes.IsKnown(dtype)) throw Corrupt(path, $"tensor '{name}' has unsupported dtype '{dtype}'");
            var shape = v.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = v.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
                throw Corrupt(path, $"tensor '{name}' has data_offsets [{string.Join(", ", offsets)}] outside the {dataLength}-byte data section (truncated file?)");
            if (shape.Any(d => d < 0)) throw Corrupt(path, $"tensor '{name}' has a negative dimension");
            long expected = shape.Aggregate(1L, (a, b) => checked(a * b)) * SafeTensorsDTypes.ElementSize(dtype);
            if (offsets[1] - offsets[0] != expected)
                throw Corrupt(path, $"tensor '{name}' ({dtype} {SafeTensorsDTypes.ShapeText(shape)}) needs {expected} bytes but its data_offsets span {offsets[1] - offsets[0]}");
            return new SafeTensorsEntry(name, dtype, shape, dataStart + offsets[0], dataStart + offsets[1]);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw Corrupt(path, $"tensor '{name}' has a malformed header entry ({e.Message})");
        }
    }

    /// <summary>
    /// Copies <paramref name="name"/> into <paramref name="destination"/> (same shape). Same dtype on CPU: read straight
    /// into its memory; otherwise read into a temporary of the stored dtype and convert with copy_ (one tensor at a time).
    /// </summary>
    public void ReadInto(string name, Tensor destination)
    {
        var entry = Entries[name];
        if (!entry.Shape.SequenceEqual(destination.shape))
            throw new LlmLocException($"tensor '{name}' in '{Path}' has shape {entry.ShapeText} but the model expects {SafeTensorsDTypes.ShapeText(destination.shape)}; the checkpoint does not match its config.json", ExitCodes.RuntimeError);
        using var _ = torch.no_grad();
        if (destination.device_type == DeviceType.CPU && destination.dtype == entry.ScalarType && destination.is_contiguous())
        {
            ReadBytes(entry, destination);
            return;
        }
        // Convert (or move to the device) from a temporary copy, never from a map of the file: a file truncated in place
        // would fault (SIGBUS) on a mapped page, where a length-checked read is one line.
        using var staging = Read(name);
        destination.copy_(staging);
    }

    /// <summary>
    /// The tensor as a CPU view of a private memory map of the file: no copy, pages come straight from the page cache
    /// when first touched, writes stay in this process. Null when the tensor cannot be viewed (empty, its offset not a
    /// multiple of its element size, or the file cannot be mapped); read it with <see cref="ReadInto"/> then.
    /// The file must not be truncated in place while a view is alive (replacing it by rename, as downloads do, is safe):
    /// the kernel turns access to a page past the new end into SIGBUS, so llmloc maps only when asked (LoadOptions.MapFile).
    /// </summary>
    public Tensor? MapView(string name)
    {
        var entry = Entries[name];
        int elementSize = SafeTensorsDTypes.ElementSize(entry.DType);
        if (entry.ByteLength == 0 || entry.Begin % elementSize != 0) return null;
        if (FileMap(entry.ScalarType, elementSize) is not { } map) return null;
        using var flat = map.narrow(0, entry.Begin / elementSize, entry.ElementCount);
        return flat.view(entry.Shape);
    }

    Tensor? FileMap(ScalarType type, int elementSize)
    {
        if (_maps.TryGetValue(type, out var map)) return map;
        try { map = torch.from_file(Path, shared: false, size: RandomAccess.GetLength(_handle) / elementSize, dtype: type); }
        catch (Exception e) when (e is ExternalException or IOException or ArgumentException) { map = null; }
        _maps[type] = map;
        return map;
    }

    /// <summary>Reads a tensor into a new CPU tensor of its stored dtype.</summary>
    public Tensor Read(string name)
    {
        var entry = Entries[name];
        var t = torch.empty(entry.Shape, entry.ScalarType, torch.CPU);
        ReadBytes(entry, t);
        return t;
    }

    void ReadBytes(SafeTensorsEntry entry, Tensor contiguousCpu)
    {
        if (entry.ByteLength == 0) return;
        int elementSize = SafeTensorsDTypes.ElementSize(entry.DType);
        long elementsPerChunk = Math.Max(1, ChunkBytes / elementSize);
        using var flat = contiguousCpu.view(-1);
        for (long start = 0; start < entry.ElementCount; start += elementsPerChunk)
        {
            long count = Math.Min(elementsPerChunk, entry.ElementCount - start);
            using var part = flat.narrow(0, start, count);
            ReadExactly(_handle, part.bytes, entry.Begin + start * elementSize, entry.Name);
        }
    }

    /// <summary>
    /// Tells the kernel a tensor's bytes will be read soon (read-ahead starts in the background) or are done with
    /// (its clean pages leave the page cache): posix_fadvise on Linux, nothing elsewhere (<see cref="Platform.OsHints"/>).
    /// </summary>
    public void Advise(string name, bool willNeed)
    {
        var entry = Entries[name];
        if (entry.ByteLength == 0) return;
        Platform.OsHints.Current.AdviseFileRange(_handle, entry.Begin, entry.ByteLength, willNeed);
    }

    /// <summary>
    /// The address ranges of CPU views of a memory map (<see cref="MapView"/>), for <see cref="Populate"/>: taken on the
    /// owner's thread, so populating on another thread never touches a tensor object.
    /// </summary>
    public static unsafe List<(nint Start, long Length)> AddressRanges(IEnumerable<Tensor> views)
    {
        var ranges = new List<(nint, long)>();
        foreach (var view in views)
        {
            using var flat = view.view(-1);
            long perChunk = (1L << 30) / view.ElementSize;
            for (long start = 0; start < flat.NumberOfElements; start += perChunk)
            {
                using var part = flat.narrow(0, start, Math.Min(perChunk, flat.NumberOfElements - start));
                var bytes = part.bytes;
                fixed (byte* p = bytes) ranges.Add(((nint)p, bytes.Length));
            }
        }
        return ranges;
    }

    /// <summary>
    /// Maps the ranges' pages into the process now (madvise MADV_POPULATE_READ, Linux 5.14+) instead of one page fault
    /// per 4 KB during the first forward: run on a spare core while the run tokenizes, it takes that cost off the
    /// critical path. A hint (<see cref="Platform.OsHints"/>): on other systems or kernels, or if the map is gone, nothing happens.
    /// </summary>
    public static void Populate(IEnumerable<(nint Start, long Length)> ranges) => Platform.OsHints.Current.PopulatePages(ranges);

    void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string tensor)
    {
        try { ReadExactly(handle, buffer, offset); }
        catch (EndOfStreamException) { throw Corrupt(Path, $"file ends inside tensor '{tensor}' (truncated download?)"); }
    }

    static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            int n = RandomAccess.Read(handle, buffer, offset);
            if (n <= 0) throw new EndOfStreamException();
            buffer = buffer[n..];
            offset += n;
        }
    }

    public void Dispose()
    {
        // Views handed out keep their map alive (the storage is reference-counted); this drops only our reference.
        foreach (var map in _maps.Values) map?.Dispose();
        _maps.Clear();
        _handle.Dispose();
    }
}
