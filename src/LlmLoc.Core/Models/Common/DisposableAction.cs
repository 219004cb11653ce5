namespace LlmLoc.Models.Common;

/// <summary>Runs an action once, on the first Dispose (hook removal, releasing a streamed block).</summary>
internal sealed class DisposableAction(Action action) : IDisposable
{
    bool _done;
    public void Dispose() { if (!_done) { _done = true; action(); } }
}
