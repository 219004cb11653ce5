namespace LlmLoc.Models;

/// <summary>Per-layer key/value tensors for incremental decoding. (Placeholder: the model runtime fills it in.)</summary>
public class KvCache : IDisposable
{
    public virtual void Dispose() { GC.SuppressFinalize(this); }
}
