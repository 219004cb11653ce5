using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace LlmLoc.Tests.Workflow;

/// <summary>A tiny HTTP server on 127.0.0.1 serving fixed bodies by path; anything else answers 404.</summary>
public sealed class LocalHttpServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly Dictionary<string, byte[]> _bodies;
    readonly Task _loop;

    public ConcurrentQueue<string> Requests { get; } = new();
    public Uri BaseUri { get; }

    public LocalHttpServer(Dictionary<string, byte[]> bodiesByPath)
    {
        _bodies = bodiesByPath;
        BaseUri = new Uri($"http://127.0.0.1:{FreePort()}/");
        _listener.Prefixes.Add(BaseUri.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Url(string pathAndQuery) => new(BaseUri, pathAndQuery);

    async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            var path = context.Request.Url!.AbsolutePath;
            Requests.Enqueue(path);
            if (_bodies.TryGetValue(path, out var body))
            {
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/zip";
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
            context.Response.Close();
        }
    }

    static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
