using System.Net;
using System.Net.Sockets;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// A TCP proxy between the mirror and the upstream that misbehaves on request, on the upstream-to-mirror
/// direction of every connection: throttle it, cut it after N bytes, flip one byte, or refuse connections.
/// Offsets count from the first occurrence of <see cref="Marker"/> (say, a blob's first bytes) when one is
/// set, else from the connection's start, so a fault lands inside the body the test means.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TcpClient, byte> _connections = new();
    private TcpListener? _listener;
    private int _cuts;
    private long _forwarded;

    private FaultProxy(IPEndPoint target) => _target = target;

    public int Port { get; private set; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>Bytes relayed from the upstream to the mirror so far, over every connection.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    public int? BytesPerSecond { get; set; }

    public byte[]? Marker { get; set; }

    public long? CutAfter { get; set; }

    public int CutTimes { get; set; } = int.MaxValue;

    public long? FlipAt { get; set; }

    public static FaultProxy Start(Uri upstream)
    {
        var proxy = new FaultProxy(new IPEndPoint(IPAddress.Parse(upstream.Host), upstream.Port));
        proxy.Listen(0);
        return proxy;
    }

    /// <summary>Back to a faithful relay.</summary>
    public void Reset()
    {
        BytesPerSecond = null;
        Marker = null;
        CutAfter = null;
        CutTimes = int.MaxValue;
        FlipAt = null;
        Volatile.Write(ref _cuts, 0);
    }

    /// <summary>Stops accepting and drops open connections: the upstream is down.</summary>
    public void Refuse()
    {
        _listener?.Stop();
        _listener = null;
        foreach (var connection in _connections.Keys)
        {
            connection.Close();
        }
    }

    /// <summary>Accepts connections again on the same port.</summary>
    public void Accept() => Listen(Port);

    public ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        Refuse();
        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _listener = listener;
        _ = Task.Run(() => AcceptAsync(listener));
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException or OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            _connections[client] = 0;
            _connections[upstream] = 0;
            try
            {
                await upstream.ConnectAsync(_target, _stopping.Token);
                var toUpstream = client.GetStream().CopyToAsync(upstream.GetStream(), _stopping.Token);
                var toClient = ForwardWithFaultsAsync(upstream.GetStream(), client.GetStream());
                await Task.WhenAny(toUpstream, toClient);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // A broken connection is the point of several faults.
            }
            finally
            {
                _connections.TryRemove(client, out _);
                _connections.TryRemove(upstream, out _);
            }
        }
    }

    private async Task ForwardWithFaultsAsync(Stream from, Stream to)
    {
        var buffer = new byte[16 * 1024];
        var window = Array.Empty<byte>();
        long offset = 0;
        long? origin = Marker is null ? 0 : null;
        var pacedSince = DateTime.UtcNow;
        long paced = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, _stopping.Token)) > 0)
        {
            if (origin is null && Marker is { } marker)
            {
                var searched = window.Concat(buffer.Take(read)).ToArray();
                var found = searched.AsSpan().IndexOf(marker);
                if (found >= 0)
                {
                    origin = offset - window.Length + found;
                }

                window = searched[Math.Max(0, searched.Length - marker.Length + 1)..];
            }

            var count = read;
            var cut = false;
            if (origin is { } start && CutAfter is { } cutAfter && offset + read - start > cutAfter && Volatile.Read(ref _cuts) < CutTimes)
            {
                Interlocked.Increment(ref _cuts);
                count = (int)Math.Max(0, cutAfter + start - offset);
                cut = true;
            }

            if (origin is { } flipOrigin && FlipAt is { } flip && flip + flipOrigin >= offset && flip + flipOrigin < offset + count)
            {
                buffer[flip + flipOrigin - offset] ^= 0xFF;
            }

            await to.WriteAsync(buffer.AsMemory(0, count), _stopping.Token);
            offset += count;
            Interlocked.Add(ref _forwarded, count);
            if (cut)
            {
                return;
            }

            paced += count;
            if (BytesPerSecond is { } rate)
            {
                // Paced from the last moment the connection kept to the rate: a kept-alive connection that sat idle
                // (or ran unthrottled) earns no credit, or the next fill on it would burst megabytes at once.
                var now = DateTime.UtcNow;
                var due = pacedSince + TimeSpan.FromSeconds((double)paced / rate);
                if (due < now - TimeSpan.FromMilliseconds(100))
                {
                    (pacedSince, paced) = (now, 0);
                }
                else if (due > now)
                {
                    await Task.Delay(due - now, _stopping.Token);
                }
            }
        }
    }
}
