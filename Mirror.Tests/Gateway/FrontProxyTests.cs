using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Authentication;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// The mirror behind a reverse proxy: forwarded headers believed from <c>mirror.trustedproxies</c> only, and
/// stored blobs handed to the proxy by <c>mirror.accel</c>. The tests' client is on 127.0.0.1, so it stands
/// for the proxy when 127.0.0.1 is trusted, and for a stranger when it is not.
/// </summary>
[TestFixture]
internal sealed class FrontProxyTests : FakeUpstreamTests
{
    private const string Repository = "library/busybox";
    private const string Trusted = "127.0.0.1";
    private const string Stranger = "10.0.0.0/8";

    [TestCase(Trusted, "203.0.113.7")]
    [TestCase(Stranger, "127.0.0.1")]
    [TestCase(null, "127.0.0.1")]
    public async Task ForwardedFor_IsTheLoggedClientOnlyFromATrustedProxy(string? trusted, string logged)
    {
        var digest = Upstream.AddBlob(Repository, RandomNumberGenerator.GetBytes(1000));
        using var mirror = Start(trusted);
        using var client = new HttpClient { BaseAddress = mirror.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{Repository}/blobs/{digest}");

        // The left entry is the client's own claim; the right one is what the proxy appended.
        request.Headers.Add("X-Forwarded-For", "198.51.100.9, 203.0.113.7");
        using var response = await client.SendAsync(request);

        await mirror.Logs.WaitForAsync($"GET {Repository} blob {digest} 200", TimeSpan.FromSeconds(10));
        var line = mirror.Logs.Lines.Single(l => l.Contains($"GET {Repository} blob {digest} 200", StringComparison.Ordinal));
        Assert.That(line, Does.EndWith($"miss {logged} "));
    }

    [TestCase(Trusted, "https://mirror.example:8443/auth/token")]
    [TestCase(Stranger, "http://127.0.0.1:{port}/auth/token")]
    public async Task UpstreamAuthRealm_IsTheSchemeAndHostTheProxyForwarded(string trusted, string realm)
    {
        using var mirror = Start(trusted, new() { ["auth:upstream:ttl"] = "1m" });
        using var client = new HttpClient { BaseAddress = mirror.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "mirror.example:8443");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");

        using var response = await client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith($"Bearer realm=\"{realm.Replace("{port}", mirror.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)}\""));
        });
    }

    [Test]
    public async Task FailedLogins_AreCountedAgainstTheForwardedAddress()
    {
        var htpasswd = TempDir.Combine("htpasswd");
        await File.WriteAllTextAsync(htpasswd, "alice:$2y$05$G95hcRXvuD26jCXJfvhLdeNZGMY35kWrNNqBWsR9fGhfcqAwDeGxS\n");
        using var mirror = Start(Trusted, new() { ["auth:htpasswd:realm"] = "r", ["auth:htpasswd:path"] = htpasswd });
        using var client = new HttpClient { BaseAddress = mirror.Address };

        // Each guess new: a refusal is remembered, and a remembered one is not checked (nor counted) again.
        for (var i = 0; i < FailedLogins.Allowed; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"alice:wrong-guess-{i}")));
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            using var refused = await client.SendAsync(request);
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        // One more failure each: the forwarded address has used up its allowance, the proxy's own none of it.
        var failures = mirror.Services.GetRequiredService<FailedLogins>();
        Assert.Multiple(() =>
        {
            Assert.That(failures.Record(IPAddress.Parse("203.0.113.7"), "alice"), Is.GreaterThan(TimeSpan.Zero));
            Assert.That(failures.Record(IPAddress.Loopback, "alice"), Is.EqualTo(TimeSpan.Zero));
            Assert.That(mirror.Logs.Lines, Has.Some.Contains("Failed htpasswd login from 203.0.113.7"));
        });
    }

    [Test]
    public async Task Accel_StoredBlob_IsHandedToTheProxyWithTheRegistryHeadersAndNoBody()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var digest = Upstream.AddBlob(Repository, content);
        using var mirror = Start(Trusted, Accel("X-Accel-Redirect", "/_mirror_store/"));
        using var client = new HttpClient { BaseAddress = mirror.Address };
        using var cold = await client.GetAsync($"/v2/{Repository}/blobs/{digest}");
        var coldBody = await cold.Content.ReadAsByteArrayAsync();
        await mirror.ReadCommittedBlobAsync(digest);

        using var warm = await client.GetAsync($"/v2/{Repository}/blobs/{digest}");

        Assert.Multiple(async () =>
        {
            Assert.That(coldBody, Is.EqualTo(content), "a fill is streamed by the mirror");
            Assert.That(cold.Headers.Contains("X-Accel-Redirect"), Is.False, "nothing uncommitted is handed over");
            Assert.That(warm.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(warm.Headers.GetValues("X-Accel-Redirect").Single(), Is.EqualTo($"/_mirror_store/blobs/sha256/{digest.Hex[..2]}/{digest.Hex}"));
            Assert.That(await warm.Content.ReadAsByteArrayAsync(), Is.Empty);
            Assert.That(warm.Content.Headers.ContentLength, Is.Zero, "not the blob's length: the proxy sets the length it sends");
            Assert.That(warm.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/octet-stream"));
            Assert.That(warm.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(digest.ToString()));
            Assert.That(warm.Headers.ETag?.Tag, Is.EqualTo($"\"{digest}\""));
            Assert.That(warm.Headers.AcceptRanges, Is.Empty, "the proxy announces ranges itself");
        });
    }

    [Test]
    public async Task Accel_RangeOfAStoredBlob_IsLeftToTheProxy_AnUnsatisfiableOneIsAnswered416()
    {
        var digest = Upstream.AddBlob(Repository, RandomNumberGenerator.GetBytes(10_000));
        using var mirror = Start(Trusted, Accel("X-Accel-Redirect", null));
        using var client = new HttpClient { BaseAddress = mirror.Address };
        (await client.GetAsync($"/v2/{Repository}/blobs/{digest}")).Dispose();
        await mirror.ReadCommittedBlobAsync(digest);

        using var partial = new HttpRequestMessage(HttpMethod.Get, $"/v2/{Repository}/blobs/{digest}") { Headers = { Range = new RangeHeaderValue(100, 199) } };
        using var handed = await client.SendAsync(partial);
        using var beyond = new HttpRequestMessage(HttpMethod.Get, $"/v2/{Repository}/blobs/{digest}") { Headers = { Range = new RangeHeaderValue(20_000, null) } };
        using var unsatisfiable = await client.SendAsync(beyond);

        Assert.Multiple(() =>
        {
            Assert.That(handed.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the proxy answers 206 from the file");
            Assert.That(handed.Headers.GetValues("X-Accel-Redirect").Single(), Does.StartWith("/_mirror_store/blobs/sha256/"));
            Assert.That(handed.Content.Headers.ContentRange, Is.Null);
            Assert.That(unsatisfiable.StatusCode, Is.EqualTo(HttpStatusCode.RequestedRangeNotSatisfiable));
            Assert.That(unsatisfiable.Headers.Contains("X-Accel-Redirect"), Is.False);
        });
    }

    [Test]
    public async Task Accel_HeadAndStrangers_AreAnsweredByTheMirror()
    {
        var content = RandomNumberGenerator.GetBytes(5000);
        var digest = Upstream.AddBlob(Repository, content);
        using var behind = Start(Trusted, Accel("X-Accel-Redirect", null));
        using var direct = Start(Stranger, Accel("X-Accel-Redirect", null), "direct-store");
        using var behindClient = new HttpClient { BaseAddress = behind.Address };
        using var directClient = new HttpClient { BaseAddress = direct.Address };
        foreach (var (mirror, client) in new[] { (behind, behindClient), (direct, directClient) })
        {
            (await client.GetAsync($"/v2/{Repository}/blobs/{digest}")).Dispose();
            await mirror.ReadCommittedBlobAsync(digest);
        }

        using var head = await behindClient.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{Repository}/blobs/{digest}"));
        using var stranger = await directClient.GetAsync($"/v2/{Repository}/blobs/{digest}");

        Assert.Multiple(async () =>
        {
            Assert.That(head.Headers.Contains("X-Accel-Redirect"), Is.False);
            Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(content.Length));
            Assert.That(stranger.Headers.Contains("X-Accel-Redirect"), Is.False, "a client not behind a trusted proxy would take it for an empty blob");
            Assert.That(await stranger.Content.ReadAsByteArrayAsync(), Is.EqualTo(content));
        });
    }

    [Test]
    public async Task Accel_Sendfile_IsTheFilesPathUnderTheStoreRoot()
    {
        var content = RandomNumberGenerator.GetBytes(5000);
        var digest = Upstream.AddBlob(Repository, content);
        using var mirror = Start(Trusted, Accel("X-Sendfile", null));
        using var client = new HttpClient { BaseAddress = mirror.Address };
        (await client.GetAsync($"/v2/{Repository}/blobs/{digest}")).Dispose();
        await mirror.ReadCommittedBlobAsync(digest);

        using var warm = await client.GetAsync($"/v2/{Repository}/blobs/{digest}");

        var path = warm.Headers.GetValues("X-Sendfile").Single();
        Assert.Multiple(async () =>
        {
            Assert.That(path, Is.EqualTo(Path.Combine(TempDir.Combine("store"), "blobs", "sha256", digest.Hex[..2], digest.Hex)));
            Assert.That(await File.ReadAllBytesAsync(path), Is.EqualTo(content));
        });
    }

    private static Dictionary<string, string?> Accel(string header, string? location) =>
        new() { ["mirror:accel:header"] = header, ["mirror:accel:location"] = location };

    private MirrorFactory Start(string? trusted, Dictionary<string, string?>? settings = null, string store = "store")
    {
        settings ??= [];
        settings["log:level"] = "debug";
        if (trusted is not null)
        {
            settings["mirror:trustedproxies:0"] = trusted;
        }

        return new MirrorFactory(Upstream.Url, TempDir.Combine(store), settings);
    }
}
