using System.Runtime.InteropServices;

namespace LlmLoc.Platform;

/// <summary>
/// Native libraries to load before libtorch. The macOS arm64 libtorch that TorchSharp ships names its OpenMP runtime by
/// an absolute Homebrew path (<c>/opt/homebrew/opt/libomp/lib/libomp.dylib</c>), which most Macs lack; the package
/// carries a libomp.dylib whose install name is that path, and once it is loaded macOS's loader hands it to libtorch
/// instead of looking on disk. Call <see cref="Preload"/> before the first TorchSharp call.
/// </summary>
public static class TorchNatives
{
    /// <summary>The libraries to load first on <paramref name="os"/>, those present in <paramref name="appFolder"/>.</summary>
    public static IReadOnlyList<string> PreloadList(OsFamily os, string appFolder)
    {
        string[] names = os == OsFamily.MacOS ? ["libomp.dylib"] : [];
        return [.. names.Select(n => Path.Combine(appFolder, n)).Where(File.Exists)];
    }

    /// <summary>Loads <see cref="PreloadList"/> for this system; a library that does not load is left to libtorch's
    /// own loading, which then reports what is missing.</summary>
    public static void Preload()
    {
        foreach (var path in PreloadList(HostOs.Current, AppContext.BaseDirectory))
            NativeLibrary.TryLoad(path, out _);
    }
}
