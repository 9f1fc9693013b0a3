using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>Debian's redis-server on 127.0.0.1, with no persistence: a cluster's coordinator, stopped (or killed and started again) by the test.</summary>
internal sealed class RedisServer : IDisposable
{
    private ManagedProcess _process;

    private RedisServer(ManagedProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(int? port = null)
    {
        var chosen = port ?? FreePort.Next();
        return new RedisServer(await RunAsync(chosen), chosen);
    }

    /// <summary>Kills it (SIGKILL): the coordinator is gone at once, as on a crash.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Starts it again on the same port, empty (it kept nothing).</summary>
    public async Task RestartAsync()
    {
        _process.Dispose();
        _process = await RunAsync(Port);
    }

    public void Dispose() => _process.Dispose();

    private static async Task<ManagedProcess> RunAsync(int port)
    {
        var process = ManagedProcess.Start("redis-server", ["--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no"]);
        await process.WaitForOutputAsync("Ready to accept connections", TimeSpan.FromSeconds(30));
        return process;
    }
}
