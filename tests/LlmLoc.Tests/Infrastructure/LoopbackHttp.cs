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
/// The HTTP/1.1 of the tests' loopback servers (<see cref="Hub.FakeHub"/>, <see cref="Workflow.LocalHttpServer"/>):
/// one request per connection, answered with Content-Length and "Connection: close". The servers listen on a
/// <see cref="TcpListener"/> bound to port 0, so the kernel picks a free port and the server holds it from that
/// moment until it is disposed (no probe-then-bind window another socket could take the port in).
/// </summary>
public static class LoopbackHttp
{
    /// <summary>A listener on 127.0.0.1 at a port the kernel chose, already listening.</summary>
    public static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    public static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>The request line and headers; null when the client hung up first.</summary>
    public static async Task<SeenRequest?> ReadRequest(NetworkStream stream)
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

    public static async Task Write(NetworkStream stream, int status, Dictionary<string, string> headers, byte[] body, bool head)
    {
        await WriteHead(stream, status, headers, body.Length);
        if (!head) await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    public static async Task WriteHead(NetworkStream stream, int status, Dictionary<string, string> headers, long length)
    {
        // The standard reason phrase ("Not Found"), as real servers send it and error messages quote it.
        var sb = new StringBuilder($"HTTP/1.1 {status} {new HttpResponseMessage((HttpStatusCode)status).ReasonPhrase}\r\n");
        foreach (var (k, v) in headers) sb.Append($"{k}: {v}\r\n");
        sb.Append($"Content-Length: {length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()));
    }
}
