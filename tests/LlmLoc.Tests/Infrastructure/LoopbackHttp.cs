using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LlmLoc.Tests.Infrastructure;

/// <summary>One request as a test server saw it.</summary>
public sealed record SeenRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>
/// The tests' loopback HTTP/1.1 server (<see cref="FakeHub"/>, <see cref="LocalHttpServer"/>): one request per
/// connection, answered with Content-Length and "Connection: close". It listens on a <see cref="TcpListener"/> bound
/// to port 0, so the kernel picks a free port and the server holds it from construction until it is disposed (no
/// probe-then-bind window another socket could take the port in).
/// </summary>
public abstract class LoopbackServer : IDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stop = new();
    readonly ConcurrentQueue<SeenRequest> _seen = new();
    readonly Task _loop;

    protected LoopbackServer()
    {
        _listener.Start();
        Endpoint = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _loop = Task.Run(AcceptLoop);
    }

    /// <summary>"http://127.0.0.1:port", no trailing slash.</summary>
    public string Endpoint { get; }
    public Uri Url(string pathAndQuery) => new(Endpoint + pathAndQuery);
    public IReadOnlyList<SeenRequest> Requests => [.. _seen];

    protected abstract Task Respond(NetworkStream stream, SeenRequest request);

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
                if (await ReadRequest(stream) is not { } request) return;
                _seen.Enqueue(request);
                await Respond(stream, request);
            }
            catch (IOException) { }
            catch (SocketException) { }
        }
    }

    /// <summary>The request line and headers; null when the client hung up first.</summary>
    static async Task<SeenRequest?> ReadRequest(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 65536)
        {
            if (await stream.ReadAsync(one) == 0) return null;
            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n') break;
        }
        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var first = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        return new SeenRequest(first[0], first[1], headers);
    }

    protected static async Task Write(NetworkStream stream, int status, Dictionary<string, string> headers, byte[] body, bool head)
    {
        await WriteHead(stream, status, headers, body.Length);
        if (!head) await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    static async Task WriteHead(NetworkStream stream, int status, Dictionary<string, string> headers, long length)
    {
        // The standard reason phrase ("Not Found"), as real servers send it and error messages quote it.
        var sb = new StringBuilder($"HTTP/1.1 {status} {new HttpResponseMessage((HttpStatusCode)status).ReasonPhrase}\r\n");
        foreach (var (k, v) in headers) sb.Append($"{k}: {v}\r\n");
        sb.Append($"Content-Length: {length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()));
    }

    /// <summary>Serves <paramref name="content"/> as a file server does: "Range: bytes=N-" gets a 206 from byte N (416
    /// past the end). With <paramref name="drop"/>, a GET announces the full length, sends half and hangs up.</summary>
    protected static async Task WriteContent(NetworkStream stream, SeenRequest request, byte[] content, Dictionary<string, string> headers, bool drop)
    {
        bool head = request.Method == "HEAD";
        long from = request.Header("Range") is { } range && range.StartsWith("bytes=") && range.EndsWith('-') ? long.Parse(range["bytes=".Length..^1]) : 0;
        if (from >= content.Length && from > 0)
        {
            await Write(stream, 416, new() { ["Content-Range"] = $"bytes */{content.Length}" }, [], head);
            return;
        }
        headers["Accept-Ranges"] = "bytes";
        if (from > 0) headers["Content-Range"] = $"bytes {from}-{content.Length - 1}/{content.Length}";
        var body = content[(int)from..];
        if (!head && drop)
        {
            await WriteHead(stream, from > 0 ? 206 : 200, headers, body.Length);
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
            await stream.FlushAsync();
            return;
        }
        await Write(stream, from > 0 ? 206 : 200, headers, body, head);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}

/// <summary>Serves fixed bodies by path (any query ignored; the dictionary is read at each request, so a test may
/// change it), with Range requests; anything else answers 404. A path in <see cref="DropOnce"/> is cut off halfway once.</summary>
public sealed class LocalHttpServer(Dictionary<string, byte[]> bodiesByPath) : LoopbackServer
{
    public ConcurrentDictionary<string, bool> DropOnce { get; } = new();

    protected override async Task Respond(NetworkStream stream, SeenRequest request)
    {
        string path = request.Path.Split('?')[0];
        if (bodiesByPath.TryGetValue(path, out var body))
            await WriteContent(stream, request, body, new() { ["Content-Type"] = "application/zip" }, request.Method == "GET" && DropOnce.TryRemove(path, out _));
        else
            await Write(stream, 404, new(), [], request.Method == "HEAD");
    }
}
