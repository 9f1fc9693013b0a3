using System.Globalization;
using System.Text.Json;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>Debian's Prometheus server scraping one target every second, queried through its HTTP API.</summary>
internal sealed class PrometheusServer : IDisposable
{
    private readonly ManagedProcess _process;
    private readonly HttpClient _client;

    private PrometheusServer(ManagedProcess process, Uri url)
    {
        _process = process;
        _client = new HttpClient { BaseAddress = url };
    }

    public static async Task<PrometheusServer> StartAsync(string directory, Uri target, string metricsPath = "/metrics")
    {
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: mirror
                metrics_path: {metricsPath}
                static_configs:
                  - targets: ["{target.Authority}"]
            """);
        var port = FreePort.Next();
        var process = ManagedProcess.Start("prometheus", [
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port}"]);
        var server = new PrometheusServer(process, new Uri($"http://127.0.0.1:{port}"));
        await process.WaitForOutputAsync("Server is ready to receive web requests", TimeSpan.FromSeconds(60));
        return server;
    }

    /// <summary>The value of an instant query with one result, or <c>null</c> when it has none yet.</summary>
    public async Task<double?> QueryAsync(string query)
    {
        var json = await _client.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}");
        using var document = JsonDocument.Parse(json);
        var result = document.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? null : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Whether Prometheus accepts <paramref name="query"/> (it parses and evaluates).</summary>
    public async Task<bool> AcceptsAsync(string query)
    {
        using var response = await _client.GetAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}");
        return response.IsSuccessStatusCode && (await response.Content.ReadAsStringAsync()).Contains("\"status\":\"success\"", StringComparison.Ordinal);
    }

    /// <summary>Queries until the value is <paramref name="expected"/> (scrapes come each second), and returns the last value seen.</summary>
    public Task<double?> WaitForAsync(string query, double expected, TimeSpan timeout) =>
        Eventually.ValueAsync(() => QueryAsync(query), value => value == expected, $"Prometheus answers {query} with {expected}", timeout, TimeSpan.FromMilliseconds(500));

    public void Dispose()
    {
        _client.Dispose();
        _process.Dispose();
    }
}
