using LlmLoc.IO;
using LlmLoc.Numerics;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Numerics;

/// <summary>The streaming writer and reader used for activation files larger than one buffer.</summary>
public class NpyStreamingTests
{
    [Fact]
    public void StreamedFileIsByteIdenticalToOneShotWriteAndReadsBackInPieces()
    {
        using var dir = new TempDir();
        float[] values = Enumerable.Range(0, 5 * 3 * 7).Select(i => i * 0.25f - 3).ToArray();
        Npy.Write(dir.File("whole.npy"), values, 5, 3, 7);
        AtomicFile.Write(dir.File("streamed.npy"), stream => Npy.WriteFloat32Streaming(stream, [5, 3, 7], append =>
        {
            for (int row = 0; row < 5; row++) append(values.AsSpan(row * 21, 21));
        }));
        Assert.Equal(File.ReadAllBytes(dir.File("whole.npy")), File.ReadAllBytes(dir.File("streamed.npy")));

        using var reader = NpyReader.Open(dir.File("streamed.npy"));
        Assert.Equal([5, 3, 7], reader.Shape);
        var first = new double[40];
        var rest = new double[65];
        reader.Read(first);
        reader.Read(rest);
        Assert.Equal(values.Select(v => (double)v), first.Concat(rest));
    }

    [Fact]
    public void ReaderConvertsFloat64AndBigEndian()
    {
        using var dir = new TempDir();
        Npy.Write(dir.File("f8.npy"), [1.5, -2, double.NaN], 3);
        using (var reader = NpyReader.Open(dir.File("f8.npy")))
        {
            var read = new double[3];
            reader.Read(read);
            Assert.Equal([1.5, -2, double.NaN], read);
        }
        // numpy: np.array([1.0, 2.0], dtype='>f4') — same header, swapped data.
        Npy.Write(dir.File("be.npy"), [1f, 2f], 2);
        byte[] be = File.ReadAllBytes(dir.File("be.npy"));
        int data = be.Length - 8;
        int descr = System.Text.Encoding.Latin1.GetString(be).IndexOf("'<f4'", StringComparison.Ordinal);
        be[descr + 1] = (byte)'>';
        Array.Reverse(be, data, 4);
        Array.Reverse(be, data + 4, 4);
        File.WriteAllBytes(dir.File("be.npy"), be);
        using var bigEndian = NpyReader.Open(dir.File("be.npy"));
        var values = new double[2];
        bigEndian.Read(values);
        Assert.Equal([1.0, 2.0], values);
    }

    [Fact]
    public void TooFewStreamedValuesLeaveNoFile()
    {
        using var dir = new TempDir();
        Assert.Throws<InvalidOperationException>(() =>
            AtomicFile.Write(dir.File("short.npy"), stream => Npy.WriteFloat32Streaming(stream, [4, 2], append => append(new float[6]))));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void ReaderRefusesIntegerAndTruncatedFiles()
    {
        using var dir = new TempDir();
        Npy.Write(dir.File("i8.npy"), [1L, 2L], 2);
        Assert.Contains("float32 or float64", Assert.Throws<LlmLocException>(() => NpyReader.Open(dir.File("i8.npy"))).Message);
        Npy.Write(dir.File("f4.npy"), [1f, 2f, 3f], 3);
        byte[] bytes = File.ReadAllBytes(dir.File("f4.npy"));
        File.WriteAllBytes(dir.File("cut.npy"), bytes[..^4]);
        Assert.Contains("truncated", Assert.Throws<LlmLocException>(() => NpyReader.Open(dir.File("cut.npy"))).Message);
    }
}
