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
    static readonly Regex DescrPattern = new(@"'descr'\s*:\s*'([<>|=])([a-zA-Z]\d*)'", RegexOptions.Compiled);
    static readonly Regex FortranPattern = new(@"'fortran_order'\s*:\s*(True|False)", RegexOptions.Compiled);
    static readonly Regex ShapePattern = new(@"'shape'\s*:\s*\(([^)]*)\)", RegexOptions.Compiled);

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

    public static NpyArray Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new LlmLocException($"file not found: {path}"); }
        catch (DirectoryNotFoundException) { throw new LlmLocException($"file not found: {path}"); }
        return Parse(bytes, path);
    }

    public static NpyArray Parse(ReadOnlySpan<byte> bytes, string name = "<bytes>")
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
            throw new LlmLocException($"{name} is not a .npy file (bad magic); write it with numpy.save");
        int major = bytes[6];
        int headerStart; long headerLength;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]); headerStart = 10; }
        else if (major is 2 or 3) { headerLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]); headerStart = 12; }
        else throw new LlmLocException($"{name}: unsupported .npy format version {major}");
        if (headerLength > MaxHeaderBytes)
            throw new LlmLocException($"{name}: .npy header length {headerLength} exceeds {MaxHeaderBytes} bytes (numpy's own limit is 10000); not a file numpy.save wrote");
        if (headerStart + headerLength > bytes.Length)
            throw new LlmLocException($"{name} is truncated (header runs past the end of the file)");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes.Slice(headerStart, (int)headerLength));

        var descr = DescrPattern.Match(header);
        var fortran = FortranPattern.Match(header);
        var shapeMatch = ShapePattern.Match(header);
        if (!descr.Success || !fortran.Success || !shapeMatch.Success || !header.TrimEnd().EndsWith('}'))
            throw new LlmLocException($"{name}: malformed .npy header: {header.Trim()}");
        string order = descr.Groups[1].Value, dtype = descr.Groups[2].Value;
        int itemSize = ItemSize(dtype) ?? throw new LlmLocException($"{name}: unsupported .npy dtype '{order}{dtype}'");
        int[] shape = ParseShape(shapeMatch.Groups[1].Value, name);

        // No overflow: the product stops growing once it exceeds the body (< 2^31 bytes) and each dimension is < 2^31.
        var body = bytes[(int)(headerStart + headerLength)..];
        long count = 1;
        foreach (int d in shape)
            if ((count *= d) > body.Length) break;
        if (count > body.Length || count * itemSize != body.Length)
            throw new LlmLocException(count > body.Length || count * itemSize > body.Length
                ? $"{name} is truncated: its header promises shape ({string.Join(", ", shape)}) of {order}{dtype}, more than the {body.Length} data bytes the file has"
                : $"{name} has {body.Length} data bytes but its header promises {count * itemSize} (shape ({string.Join(", ", shape)}) of {order}{dtype}); the file is damaged");
        byte[] data = body.ToArray();
        if (order == ">" && itemSize > 1) SwapBytes(data, itemSize);
        if (fortran.Groups[1].Value == "True" && shape.Length > 1) data = FortranToC(data, shape, itemSize);
        return new NpyArray(dtype, shape, data);
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

    static int? ItemSize(string dtype) => dtype switch
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
