using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// tinyproxy, Debian's forward (egress) HTTP proxy, on 127.0.0.1: what a corporate network puts between the
/// mirror and the registries. It logs every request it relays, which is the proof that traffic went through it.
/// </summary>
internal sealed class ForwardProxy : IDisposable
{
    private readonly ManagedProcess _process;

    private ForwardProxy(ManagedProcess process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public string Output => _process.Output;

    public static async Task<ForwardProxy> StartAsync(string directory)
    {
        Directory.CreateDirectory(directory);
        var port = FreePort.Next();
        var config = Path.Combine(directory, "tinyproxy.conf");
        await File.WriteAllTextAsync(config, $"""
            Port {port}
            Listen 127.0.0.1
            Timeout 60
            LogLevel Info
            MaxClients 50
            Allow 127.0.0.1
            DisableViaHeader Yes

            """);
        var process = ManagedProcess.Start("tinyproxy", ["-d", "-c", config]);
        await process.WaitForOutputAsync("Accepting connections", TimeSpan.FromSeconds(30));
        return new ForwardProxy(process, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>Waits until the proxy has logged relaying a request whose line contains <paramref name="text"/>.</summary>
    public Task WaitForRequestAsync(string text) => _process.WaitForOutputAsync(text, TimeSpan.FromSeconds(30));

    public void Dispose() => _process.Dispose();
}
