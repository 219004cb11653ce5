using System.Collections.Concurrent;
using System.Net.Sockets;
using LlmLoc.Tests.Infrastructure;

namespace LlmLoc.Tests.Workflow;

/// <summary>A tiny HTTP server on 127.0.0.1 serving fixed bodies by path (any query ignored); anything else answers 404.
/// It holds its port from construction to <see cref="Dispose"/> (<see cref="LoopbackHttp"/>).</summary>
public sealed class LocalHttpServer : IDisposable
{
    readonly TcpListener _listener = LoopbackHttp.Listen();
    readonly CancellationTokenSource _stop = new();
    readonly Dictionary<string, byte[]> _bodies;
    readonly Task _loop;

    public ConcurrentQueue<string> Requests { get; } = new();
    public Uri BaseUri { get; }

    public LocalHttpServer(Dictionary<string, byte[]> bodiesByPath)
    {
        _bodies = bodiesByPath;
        BaseUri = new Uri($"http://127.0.0.1:{LoopbackHttp.Port(_listener)}/");
        _loop = Task.Run(AcceptLoop);
    }

    public Uri Url(string pathAndQuery) => new(BaseUri, pathAndQuery);

    async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    async Task Serve(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                if (await LoopbackHttp.ReadRequest(stream) is not { } request) return;
                string path = request.Path.Split('?')[0];
                Requests.Enqueue(path);
                bool head = request.Method == "HEAD";
                if (_bodies.TryGetValue(path, out var body))
                    await LoopbackHttp.Write(stream, 200, new() { ["Content-Type"] = "application/zip" }, body, head);
                else
                    await LoopbackHttp.Write(stream, 404, new(), [], head);
            }
            catch (IOException) { }
            catch (SocketException) { }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
