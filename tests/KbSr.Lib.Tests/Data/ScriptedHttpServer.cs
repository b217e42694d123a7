using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KbSr.Tests.Data;

/// <summary>A raw HTTP server on 127.0.0.1 whose every response is written by a script: stalls, redirects and endless
/// bodies that a well-behaved server (HttpListener) cannot produce.</summary>
internal sealed class ScriptedHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<Stream, CancellationToken, Task> _respond;
    private readonly Task _loop;

    public ScriptedHttpServer(Func<Stream, CancellationToken, Task> respond)
    {
        _respond = respond;
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
        _loop = Task.Run(Serve);
    }

    public string Url { get; }

    /// <summary>Headers (and optionally the first body bytes), then silence until the client gives up.</summary>
    public static ScriptedHttpServer Stalling(long announcedLength = 100_000, int sent = 10) => new(async (s, ct) =>
    {
        await Write(s, $"HTTP/1.1 200 OK\r\nContent-Length: {announcedLength}\r\nContent-Type: application/zip\r\n\r\n", ct);
        await s.WriteAsync(new byte[sent], ct);
        await s.FlushAsync(ct);
        await Task.Delay(Timeout.Infinite, ct);
    });

    public static Task Write(Stream s, string text, CancellationToken ct) => s.WriteAsync(Encoding.ASCII.GetBytes(text), ct).AsTask();

    private async Task Serve()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        var stream = client.GetStream();
                        await ReadRequestHead(stream, _stop.Token);
                        await _respond(stream, _stop.Token);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException) { }
                }
            });
        }
    }

    private static async Task ReadRequestHead(Stream stream, CancellationToken ct)
    {
        var seen = new StringBuilder();
        var one = new byte[1];
        while (!seen.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, ct) == 0) return;
            seen.Append((char)one[0]);
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
