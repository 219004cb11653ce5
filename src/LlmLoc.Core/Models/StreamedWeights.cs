using LlmLoc.Models.SafeTensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmLoc.Models;

/// <summary>
/// The decoder blocks' weights of a streamed model: they stay in the checkpoint, in their stored dtype, and a
/// block's parameters are read and converted to the compute dtype just before the block runs
/// (<see cref="Materialize"/>) and released right after. Reads are positioned, length-checked reads (a shard
/// truncated under a running process is reported, not a fault); stored-dtype bytes pass through one reused staging
/// buffer per dtype. On Linux the next block is read ahead while the current one computes, and, when the
/// checkpoint is larger than memory, a finished block's pages are dropped from the page cache.
/// Counts what it holds, so tests can assert "never more than one converted block at a time".
/// </summary>
public sealed class StreamedWeights : IDisposable
{
    sealed record Slot(Parameter Parameter, SafeTensorsFile File, string Key, long[] Shape);

    readonly Checkpoint _checkpoint;
    readonly Slot[][] _layers;
    readonly ScalarType _computeType;
    readonly Device _device;
    readonly bool _dropPages;
    readonly Tensor _released;
    readonly Dictionary<ScalarType, Tensor> _staging = [];
    // Converted buffers of released blocks, by shape: the next block (blocks share shapes) reuses them, so a run
    // neither maps nor page-faults fresh memory per block.
    readonly Dictionary<string, Stack<Tensor>> _freeBuffers = [];

    internal StreamedWeights(Checkpoint checkpoint, IReadOnlyList<IReadOnlyList<(Parameter Parameter, string Key)>> layers,
        ScalarType computeType, Device device, bool dropPages)
    {
        _checkpoint = checkpoint;
        _computeType = computeType;
        _device = device;
        _dropPages = dropPages;
        // Owned here, not by whatever dispose scope the first forward opens.
        _released = torch.empty(0, computeType, device).DetachFromDisposeScope();
        _layers = layers.Select(layer => layer.Select(p => new Slot(p.Parameter, checkpoint.FileOf[p.Key], p.Key, p.Parameter.shape)).ToArray()).ToArray();
        ReturnFreedBlocksToTheSystem();
        using var noGrad = torch.no_grad();
        foreach (var slot in _layers.SelectMany(l => l)) slot.Parameter.set_(_released);
        if (_layers.Length > 0) ReadAhead(0);
    }

    /// <summary>Blocks whose converted weights are held right now (0 or 1 unless a caller nests).</summary>
    public int MaterializedLayers { get; private set; }
    /// <summary>The most blocks ever held converted at once.</summary>
    public int PeakMaterializedLayers { get; private set; }
    /// <summary>The most converted-weight bytes ever held at once.</summary>
    public long PeakMaterializedBytes { get; private set; }
    /// <summary>How many times a block was read and converted (once per block per layer-major run).</summary>
    public long LayerReads { get; private set; }

    long _heldBytes;

    /// <summary>Reads block <paramref name="layer"/>'s parameters in the compute dtype; dispose the result to release them.</summary>
    public IDisposable Materialize(int layer)
    {
        using var noGrad = torch.no_grad();
        long bytes = 0;
        foreach (var slot in _layers[layer])
        {
            using var converted = TakeBuffer(slot.Shape);
            var entry = slot.File.Entries[slot.Key];
            // Same dtype on the CPU: read straight into the parameter; otherwise stage on the CPU, then convert/copy.
            if (entry.ScalarType == _computeType && _device.type == DeviceType.CPU) slot.File.ReadInto(slot.Key, converted);
            else
            {
                using var staged = Staging(entry);
                slot.File.ReadInto(slot.Key, staged);
                converted.copy_(staged);
            }
            slot.Parameter.set_(converted);
            bytes += converted.NumberOfElements * converted.ElementSize;
        }
        MaterializedLayers++;
        LayerReads++;
        _heldBytes += bytes;
        PeakMaterializedLayers = Math.Max(PeakMaterializedLayers, MaterializedLayers);
        PeakMaterializedBytes = Math.Max(PeakMaterializedBytes, _heldBytes);
        // The kernel fetches the next block from disk while this one computes.
        if (layer + 1 < _layers.Length) ReadAhead(layer + 1);
        return new Common.DisposableAction(() => ReleaseLayer(layer, bytes));
    }

    void ReleaseLayer(int layer, long bytes)
    {
        using var noGrad = torch.no_grad();
        foreach (var slot in _layers[layer])
        {
            FreeList(slot.Shape).Push(slot.Parameter.detach().DetachFromDisposeScope());
            slot.Parameter.set_(_released);
            if (_dropPages) slot.File.Advise(slot.Key, willNeed: false);
        }
        MaterializedLayers--;
        _heldBytes -= bytes;
    }

    /// <summary>Converted-weight buffers allocated so far (blocks of equal shapes reuse one set).</summary>
    public int BufferAllocations { get; private set; }

    Tensor TakeBuffer(long[] shape)
    {
        if (FreeList(shape).TryPop(out var buffer)) return buffer;
        BufferAllocations++;
        return torch.empty(shape, _computeType, _device);
    }

    Stack<Tensor> FreeList(long[] shape)
    {
        string key = string.Join('x', shape);
        if (!_freeBuffers.TryGetValue(key, out var list)) _freeBuffers[key] = list = new Stack<Tensor>();
        return list;
    }

    void ReadAhead(int layer)
    {
        foreach (var slot in _layers[layer]) slot.File.Advise(slot.Key, willNeed: true);
    }

    /// <summary>A view of the reused staging buffer of the entry's stored dtype, shaped like the entry.</summary>
    Tensor Staging(SafeTensorsEntry entry)
    {
        if (!_staging.TryGetValue(entry.ScalarType, out var buffer) || buffer.NumberOfElements < entry.ElementCount)
        {
            buffer?.Dispose();
            long largest = _layers.SelectMany(l => l).Select(s => s.File.Entries[s.Key]).Where(e => e.ScalarType == entry.ScalarType).Max(e => e.ElementCount);
            _staging[entry.ScalarType] = buffer = torch.empty(largest, entry.ScalarType).DetachFromDisposeScope();
        }
        using var flat = buffer.narrow(0, 0, entry.ElementCount);
        return flat.view(entry.Shape);
    }

    /// <summary>
    /// glibc's malloc raises its mmap threshold each time a large buffer is freed, so after the first block the
    /// block-sized buffers (weights, activations) come from the heap and stay there when freed: measured on an
    /// 8 × 2048 bf16 Llama, peak anonymous memory 1956 MB instead of 1055 MB with a fixed 1 MB threshold
    /// (<see cref="Platform.OsHints"/>: Linux/glibc only; elsewhere nothing happens).
    /// </summary>
    static void ReturnFreedBlocksToTheSystem() => Platform.OsHints.Current.ReturnFreedBlocksToTheSystem();

    public void Dispose()
    {
        foreach (var buffer in _staging.Values.Concat(_freeBuffers.Values.SelectMany(list => list))) buffer.Dispose();
        _staging.Clear();
        _freeBuffers.Clear();
        _released.Dispose();
        _checkpoint.Dispose();
    }
}
