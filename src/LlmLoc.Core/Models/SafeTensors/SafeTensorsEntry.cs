using static TorchSharp.torch;

namespace LlmLoc.Models.SafeTensors;

/// <summary>One tensor listed in a safetensors header: dtype, shape and absolute byte range in the file.</summary>
public sealed record SafeTensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public ScalarType ScalarType => SafeTensorsDTypes.ToScalarType(DType);
    public string ShapeText => SafeTensorsDTypes.ShapeText(Shape);
}

/// <summary>The safetensors dtype strings and their TorchSharp element types.</summary>
public static class SafeTensorsDTypes
{
    static readonly Dictionary<string, (ScalarType Type, int Size)> Table = new()
    {
        ["F64"] = (ScalarType.Float64, 8), ["F32"] = (ScalarType.Float32, 4), ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2), ["I64"] = (ScalarType.Int64, 8), ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2), ["I8"] = (ScalarType.Int8, 1), ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    public static bool IsKnown(string dtype) => Table.ContainsKey(dtype);
    public static int ElementSize(string dtype) => Table[dtype].Size;
    public static ScalarType ToScalarType(string dtype) => Table[dtype].Type;

    public static string FromScalarType(ScalarType type) =>
        Table.FirstOrDefault(kv => kv.Value.Type == type).Key
        ?? throw new ArgumentException($"safetensors cannot store {type}");

    public static string ShapeText(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}
