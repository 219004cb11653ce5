using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>
/// <c>--device</c>: cpu, cuda, cuda:N or mps (Apple silicon's Metal GPU); by default CUDA when available, else the CPU
/// (as the original — MPS is used only when asked for). A GPU that was asked for and is not there is an error, never
/// a silent fall back to the CPU.
/// </summary>
public static partial class DeviceSelector
{
    public static Device Parse(string? device)
    {
        if (device is null) return cuda.is_available() ? CUDA : CPU;
        if (device == "cpu") return CPU;
        if (device == "mps")
        {
            if (!mps_is_available())
                throw new LlmLocException(
                    "--device mps asked for Apple's Metal GPU, but this llmloc has none (only Apple-silicon Macs with macOS 12.3 or later " +
                    "have it): use --device cpu", ExitCodes.RuntimeError);
            return MPS;
        }
        var match = CudaPattern().Match(device);
        if (!match.Success)
            throw new LlmLocException($"unknown --device '{device}': use cpu, cuda, cuda:N or mps", ExitCodes.Usage);
        if (!cuda.is_available())
            throw new LlmLocException(
                $"--device {device} asked for CUDA, but this llmloc has no usable GPU (CPU libtorch or no NVIDIA driver): use --device cpu, " +
                "or build llmloc with -p:LibTorchVariant=cuda-12.8 (Linux and Windows; see docs/internals.md)",
                ExitCodes.RuntimeError);
        int index = match.Groups[1].Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        if (index >= cuda.device_count())
            throw new LlmLocException($"--device {device}: only {cuda.device_count()} CUDA device(s) present", ExitCodes.Usage);
        return new Device(DeviceType.CUDA, index);
    }

    [GeneratedRegex(@"^cuda(?::(\d+))?$")]
    private static partial Regex CudaPattern();
}
