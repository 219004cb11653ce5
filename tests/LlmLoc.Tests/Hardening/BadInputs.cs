using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace LlmLoc.Tests.Hardening;

/// <summary>
/// Builders of crafted bad inputs for the hardening tests (all made in a temp folder, nothing committed): .npy files
/// with any header, copies of the tiny GPT-2 fixture with one file damaged, and the CLI run with its checks.
/// </summary>
public sealed class BadInputs : IDisposable
{
    readonly TempDir _dir = new();
    public string Root => _dir.Path;
    public string Cache => Path.Combine(Root, "cache");
    public string Path_(string name) => Path.Combine(Root, name);

    public void Dispose() => _dir.Dispose();

    /// <summary>A .npy file with a literal header dict and body (format 1.0 unless a header length is forced).</summary>
    public string Npy(string name, string headerDict, byte[] body, uint? forcedHeaderLength = null)
    {
        var header = Encoding.Latin1.GetBytes(headerDict + "\n");
        var file = new List<byte>([0x93, .. "NUMPY"u8, (byte)(forcedHeaderLength is null ? 1 : 2), 0]);
        var length = new byte[forcedHeaderLength is null ? 2 : 4];
        if (forcedHeaderLength is { } forced) BinaryPrimitives.WriteUInt32LittleEndian(length, forced);
        else BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        file.AddRange(length);
        file.AddRange(header);
        file.AddRange(body);
        string path = Path_(name);
        File.WriteAllBytes(path, [.. file]);
        return path;
    }

    /// <summary>A float64 [3, 48] mask (the fixture model's shape) holding <paramref name="first"/> then zeros.</summary>
    public string FloatMask(string name, double first)
    {
        var values = new double[3 * 48];
        values[0] = first;
        var body = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(body.AsSpan(i * 8), values[i]);
        return Npy(name, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 48), }", body);
    }

    /// <summary>The tiny GPT-2 fixture as a folder of links, with the files <paramref name="damage"/> writes replaced.</summary>
    public string Model(string name, Action<string>? damage = null)
    {
        string folder = Path_(name);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Shared.Fixture("models", "gpt2")))
            File.CreateSymbolicLink(Path.Combine(folder, Path.GetFileName(file)), file);
        damage?.Invoke(folder);
        return folder;
    }

    /// <summary>Replaces a linked file by a private copy (so damaging it leaves the fixture alone).</summary>
    public static string Own(string folder, string file)
    {
        string path = Path.Combine(folder, file);
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static void EditConfig(string folder, Action<JsonObject> edit)
    {
        string path = Own(folder, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    /// <summary>Rewrites model.safetensors' JSON header (the data section is kept).</summary>
    public static void EditSafetensorsHeader(string folder, Action<JsonObject> edit)
    {
        string path = Own(folder, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(bytes.AsSpan(8, length))!.AsObject();
        edit(header);
        var newHeader = Encoding.UTF8.GetBytes(header.ToJsonString());
        var file = new byte[8 + newHeader.Length + bytes.Length - 8 - length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)newHeader.Length);
        newHeader.CopyTo(file, 8);
        bytes.AsSpan(8 + length).CopyTo(file.AsSpan(8 + newHeader.Length));
        File.WriteAllBytes(path, file);
    }

    /// <summary>Sets the first float of a tensor to NaN (a diverged or damaged checkpoint).</summary>
    public static void PoisonTensor(string folder, string tensor)
    {
        string path = Own(folder, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(bytes.AsSpan(8, length))!.AsObject();
        long begin = header[tensor]!["data_offsets"]![0]!.GetValue<long>();
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan((int)(8 + length + begin)), float.NaN);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Runs the CLI and checks the error contract: the exit code, exactly one "llmloc: error:" line, no stack frame.</summary>
    public static CliRunner.Result Fails(int exitCode, string messagePart, params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.True(exitCode == result.ExitCode, $"exit {result.ExitCode}, expected {exitCode}; stderr: {result.Stderr}");
        CliRunner.AssertOneErrorLine(result.Stderr, messagePart);
        return result;
    }

    /// <summary>A tomloc.zip with every expected file, one of which inflates from a few kB to <paramref name="bombBytes"/>.</summary>
    public static byte[] TomZipWithBomb(int bombBytes)
    {
        using var memory = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(memory, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            for (int n = 1; n <= 10; n++)
                foreach (var kind in new[] { "b", "p" })
                    foreach (var part in new[] { "story", "question" })
                    {
                        using var entry = zip.CreateEntry($"tomloc/{n}{kind}_{part}.txt", System.IO.Compression.CompressionLevel.SmallestSize).Open();
                        entry.Write(n == 1 && kind == "b" && part == "story" ? new byte[bombBytes] : "Anna put the ball in the box."u8);
                    }
        return memory.ToArray();
    }

    /// <summary>Every file under <paramref name="folder"/> (relative), for "which files exist afterwards".</summary>
    public static string[] FilesIn(string folder) => Directory.Exists(folder)
        ? [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Order()]
        : [];
}
