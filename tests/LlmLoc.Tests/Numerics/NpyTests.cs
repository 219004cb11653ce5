using System.Security.Cryptography;
using LlmLoc.Numerics;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Numerics;

public class NpyTests
{
    static string Npy_(string name) => Shared.Fixture("npy", name);

    [Fact]
    public void ReadsFloat32AndBool()
    {
        var a = Npy.Read(Npy_("float32_2x3x4.npy"));
        Assert.Equal([2, 3, 4], a.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => i / 8f - 1f), a.ToFloats());
        var b = Npy.Read(Npy_("bool_3x5.npy"));
        Assert.Equal([3, 5], b.Shape);
        Assert.Equal(Enumerable.Range(0, 15).Select(i => i % 3 == 0 ? 1L : 0L), b.ToInt64s());
    }

    [Fact]
    public void ReadsVersion2FortranEmptyAndScalar()
    {
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), Npy.Read(Npy_("float32_3x4_v2.npy")).ToFloats());
        var f = Npy.Read(Npy_("float64_3x4_fortran.npy"));
        Assert.Equal([3, 4], f.Shape);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (double)i), f.ToDoubles()); // C order after reading
        var empty = Npy.Read(Npy_("int32_0x4.npy"));
        Assert.Equal([0, 4], empty.Shape);
        Assert.Empty(empty.ToInt64s());
        var scalar = Npy.Read(Npy_("int64_0d.npy"));
        Assert.Empty(scalar.Shape);
        Assert.Equal([7L], scalar.ToInt64s());
        Assert.Equal([0L, 1, -1, 1L << 62, long.MinValue, long.MaxValue], Npy.Read(Npy_("int64_6.npy")).ToInt64s());
    }

    [Fact]
    public void Float64SpecialValuesSurvive()
    {
        var d = Npy.Read(Npy_("float64_12x768.npy")).ToDoubles();
        Assert.True(double.IsNaN(d[0]));
        Assert.Equal(double.PositiveInfinity, d[1]);
        Assert.Equal(double.NegativeInfinity, d[2]);
        Assert.True(double.IsNegative(d[3]) && d[3] == 0);
    }

    [Theory]
    [InlineData("mask_int64_12x768.npy")]
    [InlineData("float64_12x768.npy")]
    [InlineData("float32_2x3x4.npy")]
    [InlineData("int64_6.npy")]
    [InlineData("int64_0d.npy")]
    public void WritesBytesIdenticalToNumpySave(string name)
    {
        var a = Npy.Read(Npy_(name));
        using var dir = new TempDir();
        string path = dir.File(name);
        switch (a.DType)
        {
            case "i8": Npy.Write(path, a.ToInt64s(), a.Shape); break;
            case "f8": Npy.Write(path, a.ToDoubles(), a.Shape); break;
            case "f4": Npy.Write(path, a.ToFloats(), a.Shape); break;
        }
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(Npy_(name))), SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Single(Directory.GetFiles(dir.Path)); // no temp file left behind
    }

    [Fact]
    public void TruncatedAndForeignFilesGiveOneLineErrors()
    {
        using var dir = new TempDir();
        byte[] good = File.ReadAllBytes(Npy_("mask_int64_12x768.npy"));
        File.WriteAllBytes(dir.File("short.npy"), good[..1000]);
        var e = Assert.Throws<LlmLocException>(() => Npy.Read(dir.File("short.npy")));
        Assert.Contains("truncated", e.Message);
        File.WriteAllText(dir.File("text.npy"), "hello world, not numpy");
        Assert.Contains("not a .npy file", Assert.Throws<LlmLocException>(() => Npy.Read(dir.File("text.npy"))).Message);
        Assert.Throws<LlmLocException>(() => Npy.Read(dir.File("missing.npy")));
    }
}
