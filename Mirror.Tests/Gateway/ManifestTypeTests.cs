using System.Net;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.Gateway;

/// <summary>
/// Only manifests are served as manifests: an upstream that lies about what it sends (an HTML page, another
/// type named in a generic answer, JSON that is no manifest) gets its client a 502 <c>MANIFEST_INVALID</c>,
/// and nothing of it is stored; a manifest stored with such a type before this rule is not served.
/// </summary>
[TestFixture]
internal sealed class ManifestTypeTests : FakeUpstreamTests
{
    private const string Page = "<html><body><script>fetch('/v2/_catalog')</script></body></html>";

    private static readonly byte[] Image = Manifests.Image(MediaTypes.OciManifest, Digest.Compute("config"u8), Digest.Compute("layer"u8));

    [TestCase("text/html")]
    [TestCase("image/svg+xml")]
    [TestCase("application/vnd.oci.artifact.manifest.v1+json")]
    public async Task Get_ByTagUpstreamNamesAnotherType_Is502AndNothingStored(string contentType)
    {
        Serve("org/app", "latest", Manifests.Bytes(Page), contentType);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync("/v2/org/app/manifests/latest");

        await AssertRefusedAsync(response);
    }

    [Test]
    public async Task Get_ByDigestUpstreamSendsHtml_Is502AndNothingStored()
    {
        var digest = Serve("org/app", null, Manifests.Bytes(Page), "text/html");
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync($"/v2/org/app/manifests/{digest}");

        await AssertRefusedAsync(response);
        Assert.That(Upstream.Count("GET", $"/v2/org/app/manifests/{digest}"), Is.EqualTo(1));
    }

    [Test]
    public async Task Head_ByTagUpstreamNamesHtml_Is502()
    {
        Serve("org/app", "latest", Manifests.Bytes(Page), "text/html");
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/org/app/manifests/latest"));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        });
    }

    [TestCase("application/json", "{\"schemaVersion\":2,\"mediaType\":\"text/html\",\"config\":{},\"layers\":[]}")]
    [TestCase("application/octet-stream", "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.artifact.manifest.v1+json\",\"blobs\":[]}")]
    [TestCase("text/plain", "{\"schemaVersion\":2,\"mediaType\":7,\"manifests\":[]}")]
    [TestCase("application/json", "{\"hello\":\"world\"}")]
    [TestCase("application/octet-stream", Page)]
    public async Task Get_GenericContentTypeWithoutAManifestType_Is502AndNothingStored(string contentType, string body)
    {
        var digest = Serve("org/app", null, Manifests.Bytes(body), contentType);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync($"/v2/org/app/manifests/{digest}");

        await AssertRefusedAsync(response);
    }

    [TestCase("application/json", "{\"schemaVersion\":2,\"manifests\":[]}", MediaTypes.OciIndex)]
    [TestCase("application/octet-stream", "{\"schemaVersion\":2,\"config\":{\"digest\":\"x\"},\"layers\":[]}", MediaTypes.OciManifest)]
    [TestCase("text/plain", "{\"schemaVersion\":1,\"fsLayers\":[],\"signatures\":[]}", MediaTypes.DockerManifestV1Signed)]
    [TestCase("application/json", "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\",\"manifests\":[]}", MediaTypes.DockerManifestList)]
    [TestCase("APPLICATION/VND.OCI.IMAGE.INDEX.V1+JSON", "{\"schemaVersion\":2,\"manifests\":[]}", MediaTypes.OciIndex)]
    public async Task Get_ManifestTypeFromItsAnswer_IsServedAsThatType(string contentType, string body, string served)
    {
        var content = Manifests.Bytes(body);
        var digest = Serve("org/app", null, content, contentType);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync($"/v2/org/app/manifests/{digest}");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo(served));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content), "byte for byte, whatever its type");
        });
    }

    [Test]
    public async Task Get_StoredWithAnotherTypeByHand_IsNotServed_ButFetchedAgain()
    {
        var digest = Serve("org/app", "latest", Image, MediaTypes.OciManifest);
        await PullThenMarkAsync(digest, "text/html");
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync($"/v2/org/app/manifests/{digest}");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(MediaTypes.OciManifest));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(Image));
            Assert.That(Upstream.Count("GET", $"/v2/org/app/manifests/{digest}"), Is.EqualTo(2), "the stored one was a miss");
            Assert.That(await File.ReadAllTextAsync(TypePath(digest)), Is.EqualTo(MediaTypes.OciManifest), "and was stored again with its type");
        });
    }

    [Test]
    public async Task Get_StoredWithAnotherTypeByHand_UpstreamNowLying_Is502()
    {
        var digest = Serve("org/app", "latest", Image, MediaTypes.OciManifest);
        await PullThenMarkAsync(digest, "text/html");
        Upstream.Server.Reset();
        Serve("org/app", "latest", Image, "text/html");
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var byDigest = await client.GetAsync($"/v2/org/app/manifests/{digest}");
        using var byTag = await client.GetAsync("/v2/org/app/manifests/latest");

        Assert.Multiple(async () =>
        {
            foreach (var response in new[] { byDigest, byTag })
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
                Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("MANIFEST_INVALID"));
            }
        });
    }

    [Test]
    public async Task Get_StoredWithAnotherTypeByHand_UpstreamDown_IsNotServedStale()
    {
        var digest = Serve("org/app", "latest", Image, MediaTypes.OciManifest);
        await PullThenMarkAsync(digest, "text/html");
        Upstream.Server.Reset();
        Upstream.Server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(503));
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync("/v2/org/app/manifests/latest");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("UNAVAILABLE"));
        });
    }

    private MirrorFactory Mirror() => new(Upstream.Url, TempDir.Combine("store"));

    /// <summary>Serves <paramref name="content"/> as <paramref name="contentType"/> by digest (and tag), on HEAD and GET; its digest.</summary>
    private Digest Serve(string repository, string? tag, byte[] content, string contentType) =>
        Upstream.AddManifest(repository, tag, content, contentType);

    /// <summary>Pulls the tag through a mirror, then writes <paramref name="mediaType"/> as its stored type, as a store from before the rule may have it.</summary>
    private async Task PullThenMarkAsync(Digest digest, string mediaType)
    {
        using (var mirror = Mirror())
        using (var client = mirror.CreateClient())
        using (var pulled = await client.GetAsync("/v2/org/app/manifests/latest"))
        {
            Assert.That(pulled.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await File.WriteAllTextAsync(TypePath(digest), mediaType);
    }

    private string TypePath(Digest digest) => TempDir.Combine("store", "manifests", "sha256", digest.Hex[..2], digest.Hex + ".type");

    private async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var stored = Directory.Exists(TempDir.Combine("store", "manifests"))
            ? Directory.GetFiles(TempDir.Combine("store", "manifests"), "*", SearchOption.AllDirectories)
            : [];
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway), body);
            Assert.That(OciErrors.CodeOf(body), Is.EqualTo("MANIFEST_INVALID"));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(body, Does.Not.Contain("<script>"));
            Assert.That(stored, Is.Empty);
        });
    }
}
