using System.Buffers.Binary;
using System.Text;
using LlmLoc.Models.SafeTensors;
using LlmLoc.Tests.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Tests.Models;

public class SafeTensorsTests
{
    [Fact]
    public void WriterAndReaderRoundTripEveryDtypeBitExactly()
    {
        using var dir = new TempDir();
        using var scope = torch.NewDisposeScope();
        var tensors = new (string, Tensor)[]
        {
            ("a.f32", torch.randn(3, 5)),
            ("b.bf16", torch.randn(4, 2).to(ScalarType.BFloat16)),
            ("c.f16", torch.randn(7).to(ScalarType.Float16)),
            ("d.i64", torch.arange(6, dtype: ScalarType.Int64).view(2, 3)),
            ("e.empty", torch.empty(0, 4)),
        };
        var path = dir.File("t.safetensors");
        SafeTensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        foreach (var (name, t) in tensors)
        {
            using var back = file.Read(name);
            Assert.Equal(t.dtype, back.dtype);
            Assert.Equal(t.shape, back.shape);
            Assert.True(t.NumberOfElements == 0 || t.bytes.SequenceEqual(back.bytes), name);
        }
        // Header length is a multiple of 8 (space padded), as the Python writer does.
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path).AsSpan(0, 8)) % 8);
    }

    [Fact]
    public void ReadsFixtureBf16AndUpcastsIntoFloat32Destination()
    {
        using var file = SafeTensorsFile.Open(Shared.Fixture("models", "llama-bf16", "model.safetensors"));
        using var f32 = SafeTensorsFile.Open(Shared.Fixture("models", "llama", "model.safetensors"));
        const string key = "model.layers.0.self_attn.q_proj.weight";
        Assert.Equal("BF16", file.Entries[key].DType);
        using var dest = torch.empty(64, 64);
        file.ReadInto(key, dest);
        using var reference = f32.Read(key);
        // bf16 keeps 8 mantissa bits: upcast values are within 2^-8 relative of the float32 originals.
        Assert.True(dest.sub(reference).abs().le(reference.abs().mul(1.0 / 256).add(1e-30)).all().item<bool>());
    }

    [Fact]
    public void LargeTensorsAreReadInChunks()
    {
        using var dir = new TempDir();
        using var t = torch.arange(1000, dtype: ScalarType.Float32).view(10, 100);
        var path = dir.File("c.safetensors");
        SafeTensorsWriter.Write(path, [("x", t)]);
        using var file = SafeTensorsFile.Open(path, chunkBytes: 12); // 3 floats per read: exercises the narrowed views
        using var dest = torch.zeros(10, 100);
        file.ReadInto("x", dest);
        Assert.True(dest.eq(t).all().item<bool>());
    }

    static byte[] Valid()
    {
        using var dir = new TempDir();
        using var t = torch.ones(4, 4);
        SafeTensorsWriter.Write(dir.File("v.safetensors"), [("w", t)]);
        return File.ReadAllBytes(dir.File("v.safetensors"));
    }

    public static TheoryData<string, byte[]> CorruptFiles()
    {
        var valid = Valid();
        var hugeHeader = (byte[])valid.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(hugeHeader, 200_000_000);
        var pastEof = (byte[])valid.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(pastEof, (ulong)valid.Length);
        var badJson = (byte[])valid.Clone();
        badJson[9] = (byte)'#';
        var badDtype = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(valid).Replace("\"F32\"", "\"X32\""));
        return new TheoryData<string, byte[]>
        {
            { "empty", [] },
            { "only-length", valid[..8] },
            { "header-over-100MB", hugeHeader },
            { "header-past-eof", pastEof },
            { "truncated-data", valid[..^10] },
            { "bad-json", badJson },
            { "bad-dtype", badDtype },
        };
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void CorruptFilesGiveOneLineLlmLocException(string name, byte[] bytes)
    {
        using var dir = new TempDir();
        var path = dir.File(name + ".safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<LlmLocException>(() => { using var f = SafeTensorsFile.Open(path); using var _ = f.Read("w"); });
        Assert.Contains("safetensors", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
