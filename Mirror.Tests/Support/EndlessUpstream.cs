using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mirror.Tests.Support;

/// <summary>
/// A lying upstream at a free loopback port that answers every request with a JSON body no honest one sends:
/// <c>prefix</c>, then <c>piece</c> again and again (no <c>Content-Length</c> to refuse it by: the body ends
/// when the connection does) up to <c>total</c> bytes, then <c>suffix</c>, so a reader that does not stop
/// gets valid JSON in the end. It writes to its sockets itself, so that a reader hanging up stops it at once
/// (Kestrel may go on taking writes for a connection gone), and counts the bytes the kernel took: the proof of
/// how much the mirror read, give or take the socket buffers.
/// </summary>
internal sealed class EndlessUpstream : IAsyncDisposable
{
    private const int ChunkBytes = 64 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly byte[] _prefix;
    private readonly byte[] _chunk;
    private readonly byte[] _suffix;
    private readonly long _total;
    private readonly Task _accepting;
    private long _written;
    private int _requests;
    private int _finished;

    private EndlessUpstream(string prefix, string piece, string suffix, long total)
    {
        _prefix = Encoding.UTF8.GetBytes(prefix);
        _chunk = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(piece, Math.Max(1, ChunkBytes / piece.Length))));
        _suffix = Encoding.UTF8.GetBytes(suffix);
        _total = total;
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Url { get; }

    /// <summary>Body bytes the kernel took for the readers, over every request.</summary>
    public long Written => Interlocked.Read(ref _written);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Answers that ended: sent whole, or cut off by their reader.</summary>
    public int Finished => Volatile.Read(ref _finished);

    /// <summary>An upstream whose answer is a tag list of <paramref name="total"/> bytes.</summary>
    public static EndlessUpstream TagList(string repository, long total) =>
        new($"{{\"name\":\"{repository}\",\"tags\":[", "\"tag-0123456789\",", "\"last\"]}", total);

    /// <summary>A token realm whose token is <paramref name="total"/> bytes long.</summary>
    public static EndlessUpstream TokenRealm(long total) => new("{\"token\":\"", "abcdefghijklmnop", "\"}", total);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(ServeAsync(socket));
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        try
        {
            await ReadRequestHeadAsync(socket);
            Interlocked.Increment(ref _requests);
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
            await SendAsync(socket, _prefix);
            for (var sent = (long)_prefix.Length; sent < _total; sent += _chunk.Length)
            {
                await SendAsync(socket, _chunk);
            }

            await SendAsync(socket, _suffix);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The reader hung up (or the test ended): what it took is counted.
        }
        finally
        {
            Interlocked.Increment(ref _finished);
        }
    }

    private async Task SendAsync(Socket socket, byte[] bytes)
    {
        await socket.SendAsync(bytes, _stop.Token);
        Interlocked.Add(ref _written, bytes.Length);
    }

    private async Task ReadRequestHeadAsync(Socket socket)
    {
        var head = new List<byte>();
        var buffer = new byte[4096];
        while (head.Count < 4 || !head.TakeLast(4).SequenceEqual("\r\n\r\n"u8.ToArray()))
        {
            var read = await socket.ReceiveAsync(buffer, _stop.Token);
            if (read == 0)
            {
                throw new SocketException((int)SocketError.ConnectionReset);
            }

            head.AddRange(buffer.AsSpan(0, read));
        }
    }
}
