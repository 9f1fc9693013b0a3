using System.Net.Sockets;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// Debian's nginx running the shipped <c>deploy/nginx.conf</c> in front of a mirror, as a child process on
/// 127.0.0.1: the file's <c>ADAPT</c> lines are replaced (listen address, the mirror's address, the store, the
/// certificate) and it is included in a main configuration of the test's own, whose access log records, per
/// request, what nginx sent and what the mirror answered (<c>X-Accel-Redirect</c>, body bytes).
/// </summary>
internal sealed class NginxFront : IDisposable
{
    private readonly ManagedProcess _process;
    private readonly string _accessLog;

    private NginxFront(ManagedProcess process, Uri url, string accessLog)
    {
        _process = process;
        Url = url;
        _accessLog = accessLog;
    }

    public Uri Url { get; }

    public static string ShippedConfiguration => Path.Combine(GatewayProcess.RepositoryRoot, "deploy", "nginx.conf");

    public static async Task<NginxFront> StartAsync(string directory, Uri mirror, string store, TestCertificates certificates)
    {
        Directory.CreateDirectory(directory);
        var port = FreePort.Next();
        var site = await File.ReadAllTextAsync(ShippedConfiguration);
        site = Adapt(site, "server 127.0.0.1:5000;", $"server {mirror.Authority};");
        site = Adapt(site, "listen 443 ssl http2;", $"listen 127.0.0.1:{port} ssl http2;");
        site = Adapt(site, "listen [::]:443 ssl http2;", string.Empty);
        site = Adapt(site, "/etc/mirror/tls/fullchain.pem", certificates.ServerCertificatePath);
        site = Adapt(site, "/etc/mirror/tls/privkey.pem", certificates.ServerKeyPath);
        site = Adapt(site, "alias /var/lib/mirror/;", $"alias {store.TrimEnd('/')}/;");
        var sitePath = Path.Combine(directory, "mirror.conf");
        await File.WriteAllTextAsync(sitePath, site);

        var accessLog = Path.Combine(directory, "access.log");
        var main = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(main, $$"""
            daemon off;
            master_process on;
            worker_processes 1;
            # The test's store is under a temp directory only root may enter.
            user root;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log info;
            events { worker_connections 256; }
            http {
                log_format mirror '$request_method $request_uri $status $body_bytes_sent accel=$upstream_http_x_accel_redirect upstream_bytes=$upstream_response_length';
                access_log {{accessLog}} mirror;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                include {{sitePath}};
            }
            """);
        var process = ManagedProcess.Start("nginx", ["-c", main, "-p", directory]);
        var front = new NginxFront(process, new Uri($"https://127.0.0.1:{port}"), accessLog);
        var errorLog = Path.Combine(directory, "error.log");
        try
        {
            await Eventually.TrueAsync(
                () => AcceptsAsync(port),
                $"nginx listens on 127.0.0.1:{port}",
                interval: TimeSpan.FromMilliseconds(50),
                hopeless: () => process.HasExited ? $"it exited with {process.ExitCode}" : null,
                seen: () => $"{process.Output}\n{(File.Exists(errorLog) ? File.ReadAllText(errorLog) : string.Empty)}");
        }
        catch
        {
            front.Dispose();
            throw;
        }

        return front;
    }

    /// <summary>The access log's lines for requests whose URI contains <paramref name="text"/>.</summary>
    public IReadOnlyList<string> Requests(string text) =>
        File.Exists(_accessLog) ? File.ReadAllLines(_accessLog).Where(line => line.Contains(text, StringComparison.Ordinal)).ToList() : [];

    /// <summary>Waits until nginx has logged <paramref name="count"/> requests containing <paramref name="text"/> (it logs once a response is sent).</summary>
    public Task<IReadOnlyList<string>> WaitForRequestsAsync(string text, int count) =>
        Eventually.ValueAsync(() => Task.FromResult(Requests(text)), lines => lines.Count >= count, $"nginx has logged {count} requests for {text}");

    public void Dispose() => _process.Dispose();

    /// <summary>Replaces one of the shipped file's lines to adapt; fails when the file no longer has it.</summary>
    private static string Adapt(string configuration, string shipped, string replacement) =>
        configuration.Contains(shipped, StringComparison.Ordinal)
            ? configuration.Replace(shipped, replacement, StringComparison.Ordinal)
            : throw new InvalidOperationException($"deploy/nginx.conf no longer has '{shipped}', which the test adapts");

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
