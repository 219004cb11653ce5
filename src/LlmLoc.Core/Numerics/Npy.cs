using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LlmLoc.Numerics;

/// <summary>An array read from a .npy file, its data converted to little-endian C order.</summary>
public sealed class NpyArray(string dtype, int[] shape, byte[] data)
{
    /// <summary>numpy dtype string without byte order: "f4", "f8", "i8", "i4", "b1", ...</summary>
    public string DType { get; } = dtype;
    public int[] Shape { get; } = shape;
    public byte[] Data { get; } = data;
    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    public double[] ToDoubles() => DType switch
    {
        "f8" => Cast<double>(),
        "f4" => Cast<float>().Select(v => (double)v).ToArray(),
        "f2" => Cast<Half>().Select(v => (double)v).ToArray(),
        "i8" => Cast<long>().Select(v => (double)v).ToArray(),
        "i4" => Cast<int>().Select(v => (double)v).ToArray(),
        "b1" or "u1" => Data.Select(v => (double)v).ToArray(),
        _ => throw new LlmLocException($"unsupported .npy dtype '{DType}': expected a float, int or bool array"),
    };

    public float[] ToFloats() => DType == "f4" ? Cast<float>() : ToDoubles().Select(v => (float)v).ToArray();

    public long[] ToInt64s() => DType switch
    {
        "i8" => Cast<long>(),
        "i4" => Cast<int>().Select(v => (long)v).ToArray(),
        "b1" or "u1" => Data.Select(v => (long)v).ToArray(),
        "f4" or "f8" => ToDoubles().Select(v => (long)v).ToArray(),
        _ => throw new LlmLocException($"unsupported .npy dtype '{DType}' for an integer array"),
    };

    T[] Cast<T>() where T : unmanaged
    {
        var result = new T[Count];
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(Data).CopyTo(result);
        return result;
    }
}

/// <summary>
/// Reader and writer of numpy's .npy format (versions 1.0, 2.0, 3.0; C and Fortran order). Files written here are
/// byte-identical to what <c>numpy.save</c> writes for the same array (format 1.0, header padded to 64 bytes).
/// </summary>
public static class Npy
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a whole array. The header is read and checked against the file's size first, so a file of the
    /// wrong size (a multi-gigabyte one where a mask goes) is refused without reading it, and a FIFO is never waited on.</summary>
    public static NpyArray Read(string path)
    {
        using var stream = IO.UntrustedFile.OpenRegular(path, ".npy file");
        var header = NpyHeader.Read(stream, path);
        header.CheckDataLength(stream.Length - header.DataOffset, path);
        if (stream.Length > Array.MaxLength)
            throw new LlmLocException($"{path} holds {stream.Length} bytes, too many to load whole; give a smaller array");
        var bytes = new byte[stream.Length];
        stream.Position = 0;
        stream.ReadExactly(bytes);
        return Parse(bytes, path);
    }

    public static NpyArray Parse(ReadOnlySpan<byte> bytes, string name = "<bytes>")
    {
        var header = NpyHeader.Parse(bytes, name);
        var body = bytes[header.DataOffset..];
        header.CheckDataLength(body.Length, name);
        byte[] data = body.ToArray();
        if (header.BigEndian) SwapBytes(data, header.ItemSize);
        if (header.FortranOrder && header.Shape.Length > 1) data = FortranToC(data, header.Shape, header.ItemSize);
        return new NpyArray(header.DType, header.Shape, data);
    }

    /// <summary>
    /// Writes a float32 array of <paramref name="shape"/> whose values <paramref name="produce"/> hands over in C order,
    /// piece by piece, so arrays larger than memory (or than 2 GB) never sit in one buffer. Give it the stream of an
    /// <see cref="IO.OutputSet"/> file, so the file appears only when all values were written; too few or too many
    /// values are an error.
    /// </summary>
    public static void WriteFloat32Streaming(Stream stream, int[] shape, Action<Action<ReadOnlySpan<float>>> produce)
    {
        long expected = shape.Aggregate(1L, (a, b) => a * b), written = 0;
        stream.Write(Header("<f4", shape));
        produce(values =>
        {
            if (written + values.Length > expected)
                throw new InvalidOperationException($"more than the {expected} values of shape ({string.Join(", ", shape)}) were written");
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
            written += values.Length;
        });
        if (written != expected)
            throw new InvalidOperationException($"{written} values were written for shape ({string.Join(", ", shape)}), which holds {expected}");
    }

    public static void Write(string path, ReadOnlySpan<double> data, params int[] shape) => IO.AtomicFile.WriteAllBytes(path, ToBytes(data, shape));
    public static void Write(string path, ReadOnlySpan<float> data, params int[] shape) => IO.AtomicFile.WriteAllBytes(path, ToBytes(data, shape));
    public static void Write(string path, ReadOnlySpan<long> data, params int[] shape) => IO.AtomicFile.WriteAllBytes(path, ToBytes(data, shape));

    /// <summary>The bytes of the .npy file <c>numpy.save</c> writes for this array (for <see cref="IO.OutputSet"/>).</summary>
    public static byte[] ToBytes(ReadOnlySpan<double> data, params int[] shape) => ToBytes("<f8", System.Runtime.InteropServices.MemoryMarshal.AsBytes(data), shape);
    public static byte[] ToBytes(ReadOnlySpan<float> data, params int[] shape) => ToBytes("<f4", System.Runtime.InteropServices.MemoryMarshal.AsBytes(data), shape);
    public static byte[] ToBytes(ReadOnlySpan<long> data, params int[] shape) => ToBytes("<i8", System.Runtime.InteropServices.MemoryMarshal.AsBytes(data), shape);

    static byte[] ToBytes(string descr, ReadOnlySpan<byte> data, int[] shape)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (count * ItemSize(descr[1..])!.Value != data.Length)
            throw new ArgumentException($"data length {data.Length} bytes does not fit shape ({string.Join(", ", shape)})");
        byte[] header = Header(descr, shape);
        var file = new byte[header.Length + data.Length];
        header.CopyTo(file, 0);
        data.CopyTo(file.AsSpan(header.Length));
        return file;
    }

    /// <summary>numpy's format-1.0 header: magic, version, length, dict literal padded with spaces and '\n' to 64 bytes.</summary>
    static byte[] Header(string descr, int[] shape)
    {
        string shapeText = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0]},)",
            _ => "(" + string.Join(", ", shape) + ")",
        };
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = 10 + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        string text = dict + new string(' ', padded - total) + "\n";
        var header = new byte[10 + text.Length];
        Magic.CopyTo(header, 0);
        header[6] = 1;
        header[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)text.Length);
        Encoding.Latin1.GetBytes(text, header.AsSpan(10));
        return header;
    }

    internal static byte[] MagicBytes => Magic;

    internal static int? ItemSize(string dtype) => dtype switch
    {
        "f8" or "i8" or "u8" => 8,
        "f4" or "i4" or "u4" => 4,
        "f2" or "i2" or "u2" => 2,
        "b1" or "i1" or "u1" => 1,
        _ => null,
    };

    static void SwapBytes(byte[] data, int itemSize)
    {
        for (int i = 0; i < data.Length; i += itemSize) Array.Reverse(data, i, itemSize);
    }

    static byte[] FortranToC(byte[] data, int[] shape, int itemSize)
    {
        int rank = shape.Length;
        long count = data.Length / itemSize;
        var result = new byte[data.Length];
        var index = new int[rank];
        for (long c = 0; c < count; c++)
        {
            // c enumerates C order; compute the Fortran offset of the same index.
            long rem = c;
            for (int d = rank - 1; d >= 0; d--) { index[d] = (int)(rem % shape[d]); rem /= shape[d]; }
            long f = 0;
            for (int d = rank - 1; d >= 0; d--) f = f * shape[d] + index[d];
            Buffer.BlockCopy(data, (int)(f * itemSize), result, (int)(c * itemSize), itemSize);
        }
        return result;
    }
}

/// <summary>A parsed .npy header: dtype, byte order, layout, shape and where the data starts.</summary>
public sealed record NpyHeader(string DType, bool BigEndian, bool FortranOrder, int[] Shape, int DataOffset, int ItemSize)
{
    static readonly Regex DescrPattern = new(@"'descr'\s*:\s*'([<>|=])([a-zA-Z]\d*)'", RegexOptions.Compiled);
    static readonly Regex FortranPattern = new(@"'fortran_order'\s*:\s*(True|False)", RegexOptions.Compiled);
    static readonly Regex ShapePattern = new(@"'shape'\s*:\s*\(([^)]*)\)", RegexOptions.Compiled);

    public long Count => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Headers longer than this are refused before anything is parsed (numpy.load refuses above 10000).</summary>
    public const int MaxHeaderBytes = 1 << 20;

    /// <summary>The shape tuple: non-negative whole numbers, each fitting an int ("3, 48" or "144," or "").</summary>
    static int[] ParseShape(string text, string name)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        // A trailing comma ("144,") leaves one empty part at the end; any other empty part is malformed.
        int n = parts.Length > 0 && parts[^1].Length == 0 ? parts.Length - 1 : parts.Length;
        var shape = new int[n];
        for (int i = 0; i < n; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                throw new LlmLocException($"{name}: .npy shape ({text}) is not a tuple of non-negative whole numbers below 2^31; the file is damaged");
        return shape;
    }

    /// <summary>A file's data must hold exactly the header's shape: fewer bytes is a truncated file, more a damaged one.
    /// No overflow: the product stops growing once it exceeds the data length and each dimension is below 2^31.</summary>
    public void CheckDataLength(long dataBytes, string name)
    {
        long count = 1;
        foreach (int d in Shape)
            if ((count *= d) > dataBytes) break;
        if (count > dataBytes || count * ItemSize != dataBytes)
            throw new LlmLocException(count > dataBytes || count * ItemSize > dataBytes
                ? $"{name} is truncated: its header promises shape ({string.Join(", ", Shape)}) of {DType}, more than the {dataBytes} data bytes the file has"
                : $"{name} has {dataBytes} data bytes but its header promises {count * ItemSize} (shape ({string.Join(", ", Shape)}) of {DType}); the file is damaged");
    }

    /// <summary>Parses the header at the start of <paramref name="bytes"/> (which may hold only the header).</summary>
    public static NpyHeader Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Npy.MagicBytes))
            throw new LlmLocException($"{name} is not a .npy file (bad magic); write it with numpy.save");
        int major = bytes[6];
        int headerStart, headerLength;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]); headerStart = 10; }
        else if (major is 2 or 3) { headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]); headerStart = 12; }
        else throw new LlmLocException($"{name}: unsupported .npy format version {major}");
        if (headerLength < 0 || headerLength > MaxHeaderBytes)
            throw new LlmLocException($"{name}: .npy header length {(uint)headerLength} exceeds {MaxHeaderBytes} bytes (numpy's own limit is 10000); not a file numpy.save wrote");
        if (headerStart + headerLength > bytes.Length)
            throw new LlmLocException($"{name} is truncated (header runs past the end of the file)");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes.Slice(headerStart, headerLength));

        var descr = DescrPattern.Match(header);
        var fortran = FortranPattern.Match(header);
        var shapeMatch = ShapePattern.Match(header);
        if (!descr.Success || !fortran.Success || !shapeMatch.Success || !header.TrimEnd().EndsWith('}'))
            throw new LlmLocException($"{name}: malformed .npy header: {header.Trim()}");
        string order = descr.Groups[1].Value, dtype = descr.Groups[2].Value;
        int itemSize = Npy.ItemSize(dtype) ?? throw new LlmLocException($"{name}: unsupported .npy dtype '{order}{dtype}'");
        int[] shape = ParseShape(shapeMatch.Groups[1].Value, name);
        return new NpyHeader(dtype, order == ">" && itemSize > 1, fortran.Groups[1].Value == "True", shape, headerStart + headerLength, itemSize);
    }

    /// <summary>Reads only the header of a file (the data may be many gigabytes).</summary>
    public static NpyHeader Read(Stream stream, string name)
    {
        var prefix = new byte[12];
        int got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got < 10 || !prefix.AsSpan(0, 6).SequenceEqual(Npy.MagicBytes))
            throw new LlmLocException($"{name} is not a .npy file (bad magic); write it with numpy.save");
        int length = prefix[6] == 1 ? 10 + BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(8))
            : 12 + (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(prefix.AsSpan(8)), MaxHeaderBytes + 1);
        var bytes = new byte[length];
        prefix.AsSpan(0, Math.Min(got, length)).CopyTo(bytes);
        if (length > got) stream.ReadAtLeast(bytes.AsSpan(got), length - got, throwOnEndOfStream: false);
        return Parse(bytes, name);
    }
}

/// <summary>
/// Reads a float .npy sequentially without loading it whole (activation files can exceed 2 GB): little-endian
/// (or byte-swapped) f4/f8 in C order, values handed out as doubles in C order.
/// </summary>
public sealed class NpyReader : IDisposable
{
    readonly FileStream _stream;
    readonly byte[] _buffer;
    public NpyHeader Header { get; }
    public string Path { get; }
    long _remaining;

    NpyReader(string path, FileStream stream, NpyHeader header)
    {
        (Path, _stream, Header) = (path, stream, header);
        _remaining = header.Count;
        _buffer = new byte[1 << 20];
    }

    public int[] Shape => Header.Shape;

    public static NpyReader Open(string path)
    {
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        { throw new LlmLocException($"file not found: {path}"); }
        try
        {
            var header = NpyHeader.Read(stream, path);
            if (header.DType is not ("f4" or "f8"))
                throw new LlmLocException($"{path} holds dtype '{header.DType}': give a float32 or float64 array (numpy: a.astype('float32'))");
            if (header.FortranOrder && header.Shape.Length > 1)
                throw new LlmLocException($"{path} is stored in Fortran order: save it in C order (numpy: np.save(path, np.ascontiguousarray(a)))");
            header.CheckDataLength(stream.Length - header.DataOffset, path);
            stream.Position = header.DataOffset;
            return new NpyReader(path, stream, header);
        }
        catch { stream.Dispose(); throw; }
    }

    /// <summary>Fills <paramref name="destination"/> with the next values in C order.</summary>
    public void Read(Span<double> destination)
    {
        if (destination.Length > _remaining)
            throw new InvalidOperationException($"{Path}: asked for {destination.Length} values, {_remaining} are left");
        int size = Header.ItemSize;
        int done = 0;
        while (done < destination.Length)
        {
            int take = Math.Min(destination.Length - done, _buffer.Length / size);
            var bytes = _buffer.AsSpan(0, take * size);
            _stream.ReadExactly(bytes);
            if (Header.BigEndian)
                for (int i = 0; i < bytes.Length; i += size) bytes.Slice(i, size).Reverse();
            if (size == 4)
            {
                var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes);
                for (int i = 0; i < take; i++) destination[done + i] = floats[i];
            }
            else System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes).CopyTo(destination[done..]);
            done += take;
        }
        _remaining -= destination.Length;
    }

    public void Dispose() => _stream.Dispose();
}
