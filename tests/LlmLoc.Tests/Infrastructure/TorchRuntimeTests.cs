using TorchSharp;

namespace LlmLoc.Tests.Infrastructure;

public class TorchRuntimeTests
{
    // Fails with "doesn't contain a reference to libtorch-cpu-linux-x64" on Debian 12 if the build's
    // GLIBCXX_3.4.32 weakening step did not run over this output folder.
    [Fact]
    public void NativeLibraryLoadsAndComputes()
    {
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = a.matmul(a.t());
        Assert.Equal(new float[] { 5, 14, 14, 50 }, b.data<float>().ToArray());
    }
}
