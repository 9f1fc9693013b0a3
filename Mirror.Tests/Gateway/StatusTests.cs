using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Blobs;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>The status page and its JSON: what was pulled, how it was answered, the store, the fills running, and who may see it.</summary>
[TestFixture]
internal sealed class StatusTests : FakeUpstreamTests
{
    private const string Repository = "org/app";

    [Test]
    public async Task StatusJson_AfterAColdAndAWarmPull_CountsTheHitTheRepositoryAndTheStore()
    {
        var layer = RandomNumberGenerator.GetBytes(50_000);
        var digest = Upstream.AddBlob(Repository, layer);
        Upstream.AddManifest(Repository, "1.0", Manifests.Image(Upstream.AddBlob(Repository, "{}"u8.ToArray()), digest), MediaTypes.DockerManifest);
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"));
        using var client = new HttpClient { BaseAddress = mirror.Address };
        for (var pull = 0; pull < 2; pull++)
        {
            (await client.GetAsync($"/v2/{Repository}/manifests/1.0")).Dispose();
            (await client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}")).AsSpan();
            await mirror.ReadCommittedBlobAsync(digest);
        }

        var text = await client.GetStringAsync("/status.json");
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        var traffic = root.GetProperty("traffic");
        Assert.Multiple(() =>
        {
            Assert.That(traffic.GetProperty("hits").GetInt64(), Is.EqualTo(2), "the second manifest and blob");
            Assert.That(traffic.GetProperty("misses").GetInt64(), Is.EqualTo(2));
            Assert.That(traffic.GetProperty("bytesServed").GetInt64(), Is.GreaterThanOrEqualTo(2L * layer.Length));
            Assert.That(traffic.GetProperty("bytesPulled").GetInt64(), Is.GreaterThanOrEqualTo(layer.Length).And.LessThan(2L * layer.Length));
            Assert.That(traffic.GetProperty("hitRatio").GetDouble(), Is.EqualTo(0.5));
            Assert.That(root.GetProperty("lastHour").EnumerateArray().Sum(m => m.GetProperty("requests").GetInt64()), Is.EqualTo(4));
            Assert.That(root.GetProperty("store").GetProperty("blobs").GetInt64(), Is.EqualTo(1));
            Assert.That(root.GetProperty("topByPulls")[0].GetProperty("repository").GetString(), Is.EqualTo(Repository));
            Assert.That(root.GetProperty("topByPulls")[0].GetProperty("pulls").GetInt64(), Is.EqualTo(2));
            Assert.That(root.GetProperty("lastPulls").EnumerateArray().Select(p => p.GetProperty("result").GetString()), Is.EqualTo(new[] { "hit", "miss" }));
            Assert.That(root.GetProperty("upstreams")[0].GetProperty("host").GetString(), Is.EqualTo("docker.io"));
        });
    }

    [Test]
    public async Task Page_RendersTheRepositoryAndEncodesWhatIsNotMarkup()
    {
        Upstream.AddManifest(Repository, "1.0", Manifests.Bytes("{\"a\":1}"), MediaTypes.OciManifest);
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"));
        using var client = mirror.CreateClient();
        (await client.GetAsync($"/v2/{Repository}/manifests/1.0")).Dispose();
        (await client.GetAsync("/v2/org/<script>/manifests/1.0")).Dispose();

        using var page = await client.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(page.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
            Assert.That(html, Does.Contain($"<td>{Repository}</td>"));
            Assert.That(html, Does.Contain("<svg id=\"last-hour\""));
            Assert.That(html, Does.Not.Contain("<script"), "no scripts, and nothing from a request as markup");
            Assert.That(html, Does.Contain("http-equiv=\"refresh\""));
        });
    }

    [Test]
    public async Task Page_WithHtpasswd_NeedsALogin()
    {
        var htpasswd = TempDir.Combine("htpasswd");
        var created = await EndToEnd.Command.RunAsync("htpasswd", ["-cbB", htpasswd, "alice", "alice-password"]);
        Assert.That(created.Succeeded, Is.True, created.ToString());
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?>
        {
            ["auth:htpasswd:realm"] = "mirror",
            ["auth:htpasswd:path"] = htpasswd,
        });
        using var client = mirror.CreateClient();

        using var anonymous = await client.GetAsync("/status.json");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/status.json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:alice-password")));
        using var alice = await client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(alice.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Page_OnTheDebugAddress_IsServed()
    {
        var debugPort = FreePort.Next();
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?> { ["http:debug:addr"] = $"127.0.0.1:{debugPort}" });
        _ = mirror.Address;
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{debugPort}") };

        using var page = await client.GetAsync("/");
        using var registry = await client.GetAsync("/v2/");

        Assert.Multiple(() =>
        {
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(registry.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the registry API stays on the main address");
        });
    }

    [Test]
    public async Task LongFill_LogsItsProgress_AndShowsOnThePage()
    {
        await using var upstream = await BlobUpstream.StartAsync();
        var content = RandomNumberGenerator.GetBytes(200_000);
        var digest = upstream.Add(Repository, content, new BlobFaults { StallAt = 100_000, StallFor = TimeSpan.FromSeconds(20) });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var mirror = new MirrorFactory(upstream.Url.ToString(), TempDir.Combine("store"), services: s => s.AddSingleton<TimeProvider>(time));
        using var client = mirror.CreateClient();
        using var response = await client.GetAsync($"/v2/{Repository}/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead);
        var fills = mirror.Services.GetRequiredService<FillsInFlight>();
        await Eventually.TrueAsync(() => fills.Now() is [{ Written: >= 100_000 }], "the fill has the bytes before the stall");

        time.Advance(TimeSpan.FromSeconds(10));
        await mirror.Logs.WaitForAsync($"Filling {Repository}@{digest}: 100000 of 200000 bytes", TimeSpan.FromSeconds(10));
        var status = await client.GetStringAsync("/status.json");

        Assert.That(status, Does.Contain($"\"digest\":\"{digest}\",\"written\":100000,\"length\":200000"));
    }
}
