using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>Debian's nginx as a round-robin load balancer in front of a cluster's nodes, on 127.0.0.1, streaming bodies as they come.</summary>
internal sealed class LoadBalancer : IDisposable
{
    private readonly ManagedProcess _process;

    private LoadBalancer(ManagedProcess process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<LoadBalancer> StartAsync(string directory, IEnumerable<Uri> nodes)
    {
        Directory.CreateDirectory(Path.Combine(directory, "logs"));
        var port = FreePort.Next();
        var servers = string.Join('\n', nodes.Select(n => $"    server {n.Authority};"));
        var config = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            daemon off;
            worker_processes 1;
            pid {{Path.Combine(directory, "nginx.pid")}};
            error_log {{Path.Combine(directory, "logs", "error.log")}} info;
            events { worker_connections 256; }
            http {
              access_log {{Path.Combine(directory, "logs", "access.log")}};
              client_body_temp_path {{directory}}/body;
              proxy_temp_path {{directory}}/proxy;
              upstream mirrors {
            {{servers}}
              }
              server {
                listen 127.0.0.1:{{port}};
                location / {
                  proxy_pass http://mirrors;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host $http_host;
                  proxy_buffering off;
                  proxy_read_timeout 300s;
                }
              }
            }
            """);
        var process = ManagedProcess.Start("nginx", ["-c", config, "-p", directory]);
        var balancer = new LoadBalancer(process, new Uri($"http://127.0.0.1:{port}"));
        using var client = new HttpClient();
        await Eventually.TrueAsync(async () => await ReachableAsync(client, balancer.Url), $"nginx answers on {balancer.Url}", TimeSpan.FromSeconds(30));
        return balancer;
    }

    public void Dispose() => _process.Dispose();

    private static async Task<bool> ReachableAsync(HttpClient client, Uri url)
    {
        try
        {
            using var response = await client.GetAsync(new Uri(url, "/v2/"));
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
