using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models.SafeTensors;

/// <summary>Writes tensors in the safetensors format (header padded with spaces to a multiple of 8, as the Python writer does).</summary>
public static class SafeTensorsWriter
{
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (name, t) in list)
        {
            long bytes = t.NumberOfElements * t.ElementSize;
            header[name] = new { dtype = SafeTensorsDTypes.FromScalarType(t.dtype), shape = t.shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;

        // Write to a temporary name and move, so an interrupted save never leaves a truncated checkpoint behind.
        var temp = path + ".tmp-" + Environment.ProcessId;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> len = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            stream.Write(len);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var (_, t) in list) WriteData(stream, t);
        }
        Platform.FileReplace.Move(temp, path);
    }

    static void WriteData(Stream stream, Tensor t)
    {
        if (t.NumberOfElements == 0) return;
        using var _ = torch.no_grad();
        using var cpu = t.detach().cpu().contiguous();
        using var flat = cpu.view(-1);
        long perChunk = Math.Max(1, SafeTensorsFile.DefaultChunkBytes / t.ElementSize);
        for (long start = 0; start < flat.NumberOfElements; start += perChunk)
        {
            using var part = flat.narrow(0, start, Math.Min(perChunk, flat.NumberOfElements - start));
            stream.Write(part.bytes);
        }
    }
}
