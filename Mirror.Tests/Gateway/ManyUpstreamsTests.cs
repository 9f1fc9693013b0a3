using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.Gateway;

/// <summary>
/// One mirror, several registries: docker.io (the <c>proxy</c> section, <see cref="FakeUpstreamTests.Upstream"/>)
/// and ghcr.io (<c>mirror.upstreams</c>, <see cref="_ghcr"/>), selected by containerd's <c>ns</c> or a host
/// path prefix, each asked only for its own names, with no host outside the configuration ever reached.
/// </summary>
[TestFixture]
internal sealed class ManyUpstreamsTests : FakeUpstreamTests
{
    private const string Repository = "org/app";
    private const string Ghcr = "ghcr.io";

    private FakeRegistry _ghcr = null!;

    [SetUp]
    public void StartSecondUpstream() => _ghcr = new FakeRegistry();

    [TearDown]
    public void StopSecondUpstream() => _ghcr.Dispose();

    [Test]
    public async Task Get_SameNameOnTwoRegistries_EachServesItsOwn()
    {
        var hub = Upstream.AddManifest(Repository, "1.0", Manifests.Bytes("{\"registry\":\"hub\"}"), MediaTypes.OciManifest);
        var ghcr = _ghcr.AddManifest(Repository, "1.0", Manifests.Bytes("{\"registry\":\"ghcr\"}"), MediaTypes.OciManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        // Twice each: the second answers come from the tags each registry's check left in the store.
        var answers = new List<string?>();
        for (var round = 0; round < 2; round++)
        {
            foreach (var path in new[] { $"/v2/{Repository}/manifests/1.0", $"/v2/{Repository}/manifests/1.0?ns={Ghcr}", $"/v2/{Ghcr}/{Repository}/manifests/1.0" })
            {
                using var response = await client.GetAsync(path);
                answers.Add(response.Headers.GetValues("Docker-Content-Digest").Single());
            }
        }

        Assert.That(answers, Is.EqualTo(new[] { hub, ghcr, ghcr, hub, ghcr, ghcr }.Select(d => d.ToString())));
    }

    [TestCase("/v2/org/app/manifests/1.0?ns=169.254.169.254")]
    [TestCase("/v2/org/app/manifests/1.0?ns=127.0.0.1:{port}")]
    [TestCase("/v2/127.0.0.1:{port}/org/app/manifests/1.0")]
    [TestCase("/v2/quay.io/org/app/blobs/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [TestCase("/v2/?ns=127.0.0.1:{port}")]
    public async Task Get_RegistryNotConfigured_IsNameUnknownAndNothingIsAsked(string path)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync(path.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        // The answer is written after the decision; a connection the mirror had opened would be pending by now.
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("NAME_UNKNOWN"));
            Assert.That(listener.Pending(), Is.False, "no connection to the host the client named");
            Assert.That(Upstream.Log, Is.Empty);
            Assert.That(_ghcr.Log, Is.Empty);
        });
    }

    [Test]
    public async Task Get_DockerIoAsHostOrNs_IsTheDefaultUpstream()
    {
        var hub = Upstream.AddManifest(Repository, "1.0", Manifests.Bytes("{\"registry\":\"hub\"}"), MediaTypes.OciManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var prefixed = await client.GetAsync($"/v2/docker.io/{Repository}/manifests/1.0");
        using var selected = await client.GetAsync($"/v2/{Repository}/manifests/1.0?ns=docker.io");

        Assert.Multiple(() =>
        {
            Assert.That(prefixed.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(hub.ToString()));
            Assert.That(selected.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(hub.ToString()));
            Assert.That(_ghcr.Log, Is.Empty);
        });
    }

    [TestCase("/v2/ghcr.io/org/app/manifests/1.0?ns=ghcr.io", "ghcr")]
    [TestCase("/v2/GHCR.IO/org/app/manifests/1.0", "ghcr")]
    [TestCase("/v2/docker.io/org/app/manifests/1.0?ns=docker.io", "hub")]
    [TestCase("/v2/ghcr.io/org/app/manifests/1.0?ns=docker.io", null)]
    [TestCase("/v2/docker.io/org/app/manifests/1.0?ns=ghcr.io", null)]
    public async Task Get_NsAndHostPrefixTogether_AgreeOrAreRefused(string path, string? registry)
    {
        var hub = Upstream.AddManifest(Repository, "1.0", Manifests.Bytes("{\"registry\":\"hub\"}"), MediaTypes.OciManifest);
        var ghcr = _ghcr.AddManifest(Repository, "1.0", Manifests.Bytes("{\"registry\":\"ghcr\"}"), MediaTypes.OciManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync(path);

        if (registry is null)
        {
            Assert.Multiple(async () =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
                Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("NAME_UNKNOWN"));
                Assert.That(Upstream.Log.Concat(_ghcr.Log), Is.Empty);
            });
            return;
        }

        Assert.That(response.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo((registry == "hub" ? hub : ghcr).ToString()));

        // One spelling of the name for everything after the selection (the line is written as the request ends).
        await mirror.Logs.WaitForAsync(registry == "hub" ? $"GET {Repository} manifest 1.0 200" : $"GET {Ghcr}/{Repository} manifest 1.0 200", TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task TagTtl_OfOneRegistry_AppliesToItAlone()
    {
        Upstream.AddManifest(Repository, "1.0", Manifests.Bytes("{\"registry\":\"hub\"}"), MediaTypes.OciManifest);
        _ghcr.AddManifest(Repository, "1.0", Manifests.Bytes("{\"registry\":\"ghcr\"}"), MediaTypes.OciManifest);
        using var mirror = Mirror(new() { [$"mirror:upstreams:{Ghcr}:tagttl"] = "5m" });
        using var client = mirror.CreateClient();

        for (var pull = 0; pull < 2; pull++)
        {
            (await client.GetAsync($"/v2/{Repository}/manifests/1.0")).Dispose();
            (await client.GetAsync($"/v2/{Ghcr}/{Repository}/manifests/1.0")).Dispose();
        }

        Assert.Multiple(() =>
        {
            Assert.That(_ghcr.Count("HEAD", $"/v2/{Repository}/manifests/1.0"), Is.EqualTo(1), "checked once within ghcr.io's tagttl");
            Assert.That(Upstream.Count("HEAD", $"/v2/{Repository}/manifests/1.0"), Is.EqualTo(2), "mirror.tagttl 0 asks docker.io every time");
        });
    }

    [Test]
    public async Task Blob_PulledThroughOneRegistry_IsFetchedOnceThroughAnotherWhoseManifestNamesIt_AndStoredOnce()
    {
        var layer = RandomNumberGenerator.GetBytes(8192);
        var config = Encoding.UTF8.GetBytes("{\"config\":{}}");
        var layerDigest = _ghcr.AddBlob(Repository, layer);
        var configDigest = _ghcr.AddBlob(Repository, config);
        _ghcr.AddManifest(Repository, "1.0", Manifests.Image(configDigest, layerDigest), MediaTypes.DockerManifest);
        Upstream.AddBlob("library/base", layer);
        Upstream.AddManifest("library/base", "1.0", Manifests.Image(Upstream.AddBlob("library/base", Encoding.UTF8.GetBytes("{\"other\":{}}")), layerDigest), MediaTypes.DockerManifest);
        using var mirror = Mirror();
        using var client = new HttpClient { BaseAddress = mirror.Address };

        (await client.GetAsync($"/v2/{Ghcr}/{Repository}/manifests/1.0")).Dispose();
        Assert.That(await client.GetByteArrayAsync($"/v2/{Ghcr}/{Repository}/blobs/{layerDigest}"), Is.EqualTo(layer));
        await mirror.ReadCommittedBlobAsync(layerDigest);
        (await client.GetAsync("/v2/library/base/manifests/1.0")).Dispose();
        using var proving = await client.GetAsync($"/v2/library/base/blobs/{layerDigest}");
        using var hit = await client.GetAsync($"/v2/library/base/blobs/{layerDigest}");

        // docker.io's manifest is docker.io's word: the layer is fetched from docker.io once, checked, and
        // the one copy kept; from then on it is a hit there too.
        Assert.Multiple(async () =>
        {
            Assert.That(await proving.Content.ReadAsByteArrayAsync(), Is.EqualTo(layer));
            Assert.That(proving.Headers.GetValues("X-Cache").Single(), Is.EqualTo("MISS"));
            Assert.That(await hit.Content.ReadAsByteArrayAsync(), Is.EqualTo(layer));
            Assert.That(hit.Headers.GetValues("X-Cache").Single(), Is.EqualTo("HIT"));
            Assert.That(Upstream.Count("GET", "/v2/library/base/blobs/" + layerDigest), Is.EqualTo(1), "fetched once from each registry");
            Assert.That(Directory.GetFiles(TempDir.Combine("store", "tmp")), Is.Empty, "stored once: the second fetch leaves no copy of its own");
            Assert.That(await mirror.ReadCommittedBlobAsync(layerDigest), Is.EqualTo(layer));
        });
    }

    [Test]
    public async Task Blob_StoredThroughOneRegistry_IsNotServedUnderAnotherThatDoesNotHoldIt()
    {
        var layer = RandomNumberGenerator.GetBytes(4096);
        var layerDigest = _ghcr.AddBlob(Repository, layer);
        _ghcr.AddManifest(Repository, "1.0", Manifests.Image(_ghcr.AddBlob(Repository, "{}"u8.ToArray()), layerDigest), MediaTypes.DockerManifest);
        using var mirror = Mirror();
        using var client = new HttpClient { BaseAddress = mirror.Address };
        (await client.GetAsync($"/v2/{Repository}/manifests/1.0?ns={Ghcr}")).Dispose();
        (await client.GetByteArrayAsync($"/v2/{Repository}/blobs/{layerDigest}?ns={Ghcr}")).AsSpan();
        await mirror.ReadCommittedBlobAsync(layerDigest);

        // docker.io's org/app is another registry's repository: docker.io is asked for the bytes (its word
        // would be no proof), and says it has no such blob.
        using var elsewhere = await client.GetAsync($"/v2/{Repository}/blobs/{layerDigest}");

        Assert.Multiple(() =>
        {
            Assert.That(elsewhere.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(Upstream.Count("GET", $"/v2/{Repository}/blobs/{layerDigest}"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Get_RegistryWithAPrefix_AsksUnderThePrefix()
    {
        var digest = _ghcr.AddManifest("dockerhub-proxy/library/busybox", "latest", Manifests.Bytes("{\"harbor\":1}"), MediaTypes.OciManifest);
        using var mirror = Mirror(new() { [$"mirror:upstreams:{Ghcr}:prefix"] = "dockerhub-proxy" });
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync($"/v2/{Ghcr}/library/busybox/manifests/latest");

        Assert.That(response.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(digest.ToString()));
    }

    [Test]
    public async Task Get_BasicCredentialsOfOneRegistry_GoToThatRegistryOnly()
    {
        _ghcr.RequireBasic("ghcr-bot", "ghcr-secret");
        _ghcr.AddManifest(Repository, "1.0", Manifests.Bytes("{\"registry\":\"ghcr\"}"), MediaTypes.OciManifest);
        Upstream.AddManifest(Repository, "1.0", Manifests.Bytes("{\"registry\":\"hub\"}"), MediaTypes.OciManifest);
        using var mirror = Mirror(new()
        {
            [$"mirror:upstreams:{Ghcr}:username"] = "ghcr-bot",
            [$"mirror:upstreams:{Ghcr}:password"] = "ghcr-secret",
        });
        using var client = mirror.CreateClient();

        using var ghcr = await client.GetAsync($"/v2/{Repository}/manifests/1.0?ns={Ghcr}");
        using var hub = await client.GetAsync($"/v2/{Repository}/manifests/1.0");

        Assert.Multiple(() =>
        {
            Assert.That(ghcr.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(hub.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Upstream.Log.Where(e => e.RequestMessage.Headers!.ContainsKey("Authorization")), Is.Empty, "docker.io is not sent ghcr.io's credentials");
        });
    }

    [Test]
    public async Task TagList_WithNs_PagesWithTheNsKept()
    {
        foreach (var tag in new[] { "a", "b", "c" })
        {
            _ghcr.AddManifest(Repository, tag, Manifests.Bytes($"{{\"tag\":\"{tag}\"}}"), MediaTypes.OciManifest);
        }

        _ghcr.Server.Given(WireMock.RequestBuilders.Request.Create().WithPath($"/v2/{Repository}/tags/list").UsingGet())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody($"{{\"name\":\"{Repository}\",\"tags\":[\"a\",\"b\",\"c\"]}}"));
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var bySelection = await client.GetAsync($"/v2/{Repository}/tags/list?n=1&ns={Ghcr}");
        using var byPrefix = await client.GetAsync($"/v2/{Ghcr}/{Repository}/tags/list?n=1");

        Assert.Multiple(() =>
        {
            Assert.That(bySelection.Headers.GetValues("Link").Single(), Is.EqualTo($"</v2/{Repository}/tags/list?n=1&last=a&ns={Ghcr}>; rel=\"next\""));
            Assert.That(byPrefix.Headers.GetValues("Link").Single(), Is.EqualTo($"</v2/{Ghcr}/{Repository}/tags/list?n=1&last=a>; rel=\"next\""));
        });
    }

    [Test]
    public async Task Metrics_CountEachRegistryUnderItsHost()
    {
        var manifest = Manifests.Bytes("{\"registry\":\"ghcr\"}");
        _ghcr.AddManifest(Repository, "1.0", manifest, MediaTypes.OciManifest);
        var layer = RandomNumberGenerator.GetBytes(3000);
        var blob = _ghcr.AddBlob(Repository, layer);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();
        (await client.GetAsync($"/v2/{Repository}/manifests/1.0?ns={Ghcr}")).Dispose();
        Assert.That(await client.GetByteArrayAsync($"/v2/{Ghcr}/{Repository}/blobs/{blob}"), Is.EqualTo(layer));

        var text = await client.GetStringAsync("/metrics");

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("registry_proxy_requests_total{otel_scope_name=\"Mirror\",type=\"manifest\",upstream=\"ghcr.io\"} 1"));
            Assert.That(text, Does.Contain("mirror_upstream_requests_total{otel_scope_name=\"Mirror\",method=\"HEAD\",status=\"200\",upstream=\"ghcr.io\"} 1"));
            Assert.That(text, Does.Contain($"registry_proxy_pulled_bytes_total{{otel_scope_name=\"Mirror\",type=\"blob\",upstream=\"ghcr.io\"}} {layer.Length}"));
            Assert.That(text, Does.Contain($"registry_proxy_pulled_bytes_total{{otel_scope_name=\"Mirror\",type=\"manifest\",upstream=\"ghcr.io\"}} {manifest.Length}"));
            Assert.That(text, Does.Not.Contain("upstream=\"docker.io\"}"), "docker.io was not asked");
        });
    }

    [TestCase("/v2/org/app/referrers/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855?ns=ghcr.io")]
    [TestCase("/v2/ghcr.io/org/app/referrers/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public async Task Referrers_OfAnotherRegistry_AskThatRegistryAlone(string path)
    {
        // distribution-spec 1.1: with neither a referrers API nor a tag-schema index upstream, the answer is an
        // empty index (a 404 would tell clients the mirror has no API).
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"manifests\":[]"));
            Assert.That(_ghcr.Count("GET", "/v2/org/app/referrers/"), Is.EqualTo(1));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task Readyz_WithARegistryDown_NamesIt()
    {
        using var mirror = Mirror();
        using var client = mirror.CreateClient();
        _ghcr.Dispose();
        (await client.GetAsync($"/v2/{Repository}/manifests/1.0?ns={Ghcr}")).Dispose();

        var ready = await client.GetStringAsync("/readyz");

        Assert.That(ready, Does.Contain("\"upstream\":{\"status\":\"Degraded\",\"description\":\"ghcr.io: unreachable since"));
    }

    [Test]
    public async Task Get_RegistryWithAPrivateCa_IsTrustedWithItsCafileAndNotWithout()
    {
        // The registry with its own CA is another mirror with TLS (a mirror in front of a mirror).
        var certificates = TestCertificates.Create(TempDir.Combine("certs"));
        var digest = Upstream.AddManifest(Repository, "1.0", Manifests.Bytes("{\"registry\":\"private-ca\"}"), MediaTypes.OciManifest);
        using var secured = new MirrorFactory(Upstream.Url, TempDir.Combine("secured"), new Dictionary<string, string?>
        {
            ["http:tls:certificate"] = certificates.ServerCertificatePath,
            ["http:tls:key"] = certificates.ServerKeyPath,
        });
        var remote = secured.Address.ToString();
        using var trusting = new MirrorFactory(_ghcr.Url, TempDir.Combine("trusting"), new Dictionary<string, string?>
        {
            ["mirror:upstreams:secure.test:remoteurl"] = remote,
            ["mirror:upstreams:secure.test:cafile"] = certificates.CaPath,
        });
        using var distrusting = new MirrorFactory(_ghcr.Url, TempDir.Combine("distrusting"), new Dictionary<string, string?>
        {
            ["mirror:upstreams:secure.test:remoteurl"] = remote,
        });

        using var trusted = await trusting.CreateClient().GetAsync($"/v2/secure.test/{Repository}/manifests/1.0");
        using var refused = await distrusting.CreateClient().GetAsync($"/v2/secure.test/{Repository}/manifests/1.0");

        Assert.Multiple(() =>
        {
            Assert.That(trusted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(trusted.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(digest.ToString()));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "a certificate the system does not trust is not accepted");
        });
    }

    [Test]
    public async Task Get_BlobAnUpstreamFails_IsAskedAgainOnlyWithinThatUpstreamsFirstByteBound()
    {
        // Both answer 503. ghcr.io's first-byte bound (100 ms) ends before the first backoff (250 ms), so
        // its fill gives up after one request; docker.io's (the default 30 s) asks again three times.
        var digest = Digest.Compute("a layer neither registry can serve now"u8.ToArray());
        foreach (var registry in new[] { Upstream, _ghcr })
        {
            registry.Server.Given(Request.Create().WithPath($"/v2/{Repository}/blobs/{digest}").UsingGet()).RespondWith(Response.Create().WithStatusCode(503));
        }

        using var mirror = Mirror(new() { [$"mirror:upstreams:{Ghcr}:timeouts:firstbyte"] = "100ms" });
        using var client = mirror.CreateClient();

        using var fromGhcr = await client.GetAsync($"/v2/{Ghcr}/{Repository}/blobs/{digest}");
        using var fromHub = await client.GetAsync($"/v2/{Repository}/blobs/{digest}");

        Assert.Multiple(() =>
        {
            Assert.That(fromGhcr.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(_ghcr.Count("GET", $"/v2/{Repository}/blobs/"), Is.EqualTo(1));
            Assert.That(fromHub.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(Upstream.Count("GET", $"/v2/{Repository}/blobs/"), Is.EqualTo(4));
        });
    }

    private MirrorFactory Mirror(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? []) { [$"mirror:upstreams:{Ghcr}:remoteurl"] = _ghcr.Url };
        return new MirrorFactory(Upstream.Url, TempDir.Combine("store"), all);
    }
}
