using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// A real Prometheus scrapes the mirror while a real dockerd pulls an image cold and then warm; the counts it
/// holds are exactly the misses and hits the pulls made, and the misses match what the upstream served.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class PrometheusTests
{
    [Test]
    public async Task DockerPullColdThenWarm_PrometheusHoldsTheExactMissesAndHits()
    {
        using var directory = new TestDirectory();
        using var upstream = await UpstreamRegistry.StartAsync(directory.Combine("upstream"), tokens: null);
        var image = TestImage.Single("library/scraped", "latest", oci: false, TestImage.Busybox(),
            TestImage.FileLayer("a.bin", 100_000, 7), TestImage.FileLayer("b.bin", 200_000, 8));
        await upstream.PushAsync(image, tokens: null);
        using var mirror = await MirrorProcess.StartAsync(directory.Combine("mirror"), upstream.Url);
        using var prometheus = await PrometheusServer.StartAsync(directory.Combine("prometheus"), mirror.Url);
        using var docker = await DockerDaemon.StartAsync(directory.Combine("docker"), mirror.Url);
        var blobs = image.Blobs.Count;

        var cold = await docker.DockerAsync("pull", image.DockerName);
        Assert.That(cold.Succeeded, Is.True, cold.ToString());
        var coldMisses = await prometheus.WaitForAsync("registry_proxy_misses_total{type=\"blob\"}", blobs, TimeSpan.FromSeconds(30));
        var upstreamBlobGets = upstream.BlobGets();

        Assert.That((await docker.DockerAsync("rmi", image.DockerName)).Succeeded, Is.True);
        var warm = await docker.DockerAsync("pull", image.DockerName);
        Assert.That(warm.Succeeded, Is.True, warm.ToString());
        var warmHits = await prometheus.WaitForAsync("registry_proxy_hits_total{type=\"blob\"}", blobs, TimeSpan.FromSeconds(30));
        var missesAfterWarm = await prometheus.QueryAsync("registry_proxy_misses_total{type=\"blob\"}");
        var pulledBytes = await prometheus.QueryAsync("registry_proxy_pulled_bytes_total{type=\"blob\"}");

        Assert.Multiple(() =>
        {
            Assert.That(coldMisses, Is.EqualTo(blobs), "the cold pull fetched every blob from the upstream");
            Assert.That(upstreamBlobGets, Is.EqualTo(blobs), "as the upstream's own log shows");
            Assert.That(warmHits, Is.EqualTo(blobs), "the warm pull was served from the store");
            Assert.That(missesAfterWarm, Is.EqualTo(blobs), "and fetched nothing more");
            Assert.That(pulledBytes, Is.EqualTo(image.Blobs.Sum(b => b.Content.Length)));
        });

        // The dashboard in deploy/ queries this same Prometheus: every expression must parse and evaluate.
        foreach (var query in DashboardQueries())
        {
            Assert.That(await prometheus.AcceptsAsync(query), Is.True, query);
        }
    }

    [Test]
    public async Task ScrapeExample_IsAValidPrometheusConfiguration()
    {
        var check = await Command.RunAsync("promtool", ["check", "config", Path.Combine(GatewayProcess.RepositoryRoot, "deploy", "prometheus.yml")]);

        Assert.That(check.Succeeded, Is.True, check.ToString());
    }

    private static List<string> DashboardQueries()
    {
        using var dashboard = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(GatewayProcess.RepositoryRoot, "deploy", "grafana-dashboard.json")));
        return dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!)
            .ToList();
    }
}
