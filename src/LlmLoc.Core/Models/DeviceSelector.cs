using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary><c>--device</c>: cpu, cuda or cuda:N; by default CUDA when available, else the CPU (as the original).</summary>
public static partial class DeviceSelector
{
    public static Device Parse(string? device)
    {
        if (device is null) return cuda.is_available() ? CUDA : CPU;
        if (device == "cpu") return CPU;
        var match = CudaPattern().Match(device);
        if (!match.Success)
            throw new LlmLocException($"unknown --device '{device}': use cpu, cuda or cuda:N", ExitCodes.Usage);
        if (!cuda.is_available())
            throw new LlmLocException(
                $"--device {device} asked for CUDA, but this llmloc has no usable GPU (CPU libtorch or no NVIDIA driver): use --device cpu, or build with -p:LibTorchPackage=libtorch-cuda-12.8-linux-x64",
                ExitCodes.RuntimeError);
        int index = match.Groups[1].Success ? int.Parse(match.Groups[1].Value) : 0;
        if (index >= cuda.device_count())
            throw new LlmLocException($"--device {device}: only {cuda.device_count()} CUDA device(s) present", ExitCodes.Usage);
        return new Device(DeviceType.CUDA, index);
    }

    [GeneratedRegex(@"^cuda(?::(\d+))?$")]
    private static partial Regex CudaPattern();
}
