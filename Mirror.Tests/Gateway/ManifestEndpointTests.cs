using System.Net;
using System.Net.Http.Headers;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.Gateway;

[TestFixture]
internal sealed class ManifestEndpointTests : InProcessMirrorTests
{
    private static readonly Digest Config = Digest.Compute("config"u8);
    private static readonly Digest Layer = Digest.Compute("layer"u8);

    [Test]
    public async Task Get_ByTag_ServesUpstreamBytesWithTheirDigest()
    {
        // Odd spacing and a trailing newline: any re-serialisation would change the digest.
        var content = Manifests.Bytes("{\"schemaVersion\":2,  \"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}\n");
        var digest = Upstream.AddManifest("org/team/app", "v1", content, MediaTypes.OciManifest);

        using var response = await Client.GetAsync("/v2/org/team/app/manifests/v1");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(MediaTypes.OciManifest));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(content.Length));
            Assert.That(response.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(digest.ToString()));
            Assert.That(response.Headers.ETag?.Tag, Is.EqualTo($"\"{digest}\""));
            Assert.That(File.ReadAllBytes(TempDir.Combine("store", "manifests", "sha256", digest.Hex[..2], digest.Hex)), Is.EqualTo(content));
        });
    }

    [Test]
    public async Task Get_ByTagAgain_RevalidatesWithHeadAndServesFromStore()
    {
        var digest = Upstream.AddManifest("library/busybox", "latest", Manifests.Image(Config, Layer), MediaTypes.DockerManifest);

        (await Client.GetAsync("/v2/library/busybox/manifests/latest")).Dispose();
        using var second = await Client.GetAsync("/v2/library/busybox/manifests/latest");

        Assert.Multiple(() =>
        {
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Upstream.Count("HEAD", "/v2/library/busybox/manifests/latest"), Is.EqualTo(2), "each tag request asks the upstream with a HEAD");
            Assert.That(Upstream.Count("GET", "/v2/library/busybox/manifests/latest"), Is.Zero, "the tag is never fetched with a GET");
            Assert.That(Upstream.Count("GET", $"/v2/library/busybox/manifests/{digest}"), Is.EqualTo(1), "the content is fetched once");
        });
    }

    [Test]
    public async Task Get_ByDigestWhenStored_MakesNoUpstreamRequest()
    {
        var content = Manifests.Image(Config, Layer);
        var digest = Upstream.AddManifest("library/busybox", "latest", content, MediaTypes.DockerManifest);
        (await Client.GetAsync("/v2/library/busybox/manifests/latest")).Dispose();
        Upstream.Server.ResetLogEntries();

        using var response = await Client.GetAsync($"/v2/library/busybox/manifests/{digest}");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(MediaTypes.DockerManifest));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task Head_ByTagNotStored_AnswersFromUpstreamHeadWithoutGet()
    {
        var content = Manifests.Image(Config, Layer);
        var digest = Upstream.AddManifest("library/busybox", "1.36", content, MediaTypes.DockerManifest);

        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/library/busybox/manifests/1.36"));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(digest.ToString()));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(MediaTypes.DockerManifest));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(content.Length));
            Assert.That(Upstream.Count("GET", "/v2/"), Is.Zero, "a HEAD stays a HEAD upstream");
        });
    }

    [Test]
    public async Task Head_ByDigestWhenStored_HasHeadersAndNoUpstreamRequest()
    {
        var content = Manifests.Image(Config, Layer);
        var digest = Upstream.AddManifest("library/busybox", "latest", content, MediaTypes.DockerManifest);
        (await Client.GetAsync("/v2/library/busybox/manifests/latest")).Dispose();
        Upstream.Server.ResetLogEntries();

        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/library/busybox/manifests/{digest}"));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(digest.ToString()));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(MediaTypes.DockerManifest));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(content.Length));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [TestCase(MediaTypes.DockerManifestList, MediaTypes.DockerManifest)]
    [TestCase(MediaTypes.OciIndex, MediaTypes.OciManifest)]
    public async Task Get_ListThenPlatformByDigest_ServesBothWithTheirTypes(string listType, string imageType)
    {
        var amd64 = Manifests.Image(imageType, Config, Layer);
        var arm64 = Manifests.Image(imageType, Digest.Compute("arm config"u8), Layer);
        var amd64Digest = Upstream.AddManifest("library/multi", null, amd64, imageType);
        var arm64Digest = Upstream.AddManifest("library/multi", null, arm64, imageType);
        var list = Manifests.List(listType, (amd64Digest, imageType, "amd64"), (arm64Digest, imageType, "arm64"));
        var listDigest = Upstream.AddManifest("library/multi", "latest", list, listType);

        using var listResponse = await Client.GetAsync("/v2/library/multi/manifests/latest");
        using var platformResponse = await Client.GetAsync($"/v2/library/multi/manifests/{amd64Digest}");

        Assert.Multiple(async () =>
        {
            Assert.That(listResponse.Content.Headers.ContentType?.MediaType, Is.EqualTo(listType));
            Assert.That(listResponse.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(listDigest.ToString()));
            Assert.That(await listResponse.Content.ReadAsByteArrayAsync(), Is.EqualTo(list));
            Assert.That(platformResponse.Content.Headers.ContentType?.MediaType, Is.EqualTo(imageType));
            Assert.That(await platformResponse.Content.ReadAsByteArrayAsync(), Is.EqualTo(amd64));
        });
    }

    [Test]
    public async Task Get_ClientAccept_GoesToUpstreamHead()
    {
        Upstream.AddManifest("library/busybox", "latest", Manifests.Image(Config, Layer), MediaTypes.DockerManifest);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/library/busybox/manifests/latest");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.DockerManifest));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.DockerManifestList));

        (await Client.SendAsync(request)).Dispose();

        var head = Upstream.Log.Single(e => e.RequestMessage.Method == "HEAD").RequestMessage;
        Assert.That(string.Join(",", head.Headers!["Accept"]).Replace(" ", ""), Is.EqualTo($"{MediaTypes.DockerManifest},{MediaTypes.DockerManifestList}"));
    }

    [Test]
    public async Task Get_NoClientAccept_AsksUpstreamForEveryManifestType()
    {
        Upstream.AddManifest("library/busybox", "latest", Manifests.Image(Config, Layer), MediaTypes.DockerManifest);

        (await Client.GetAsync("/v2/library/busybox/manifests/latest")).Dispose();

        var accept = string.Join(",", Upstream.Log.Single(e => e.RequestMessage.Method == "HEAD").RequestMessage.Headers!["Accept"]);
        Assert.That(accept, Does.Contain(MediaTypes.OciIndex).And.Contain(MediaTypes.OciManifest).And.Contain(MediaTypes.DockerManifestList).And.Contain(MediaTypes.DockerManifest));
    }

    [Test]
    public async Task Get_UpstreamHeadWithoutDigest_FallsBackToGetByTag()
    {
        var content = Manifests.Image(Config, Layer);
        Upstream.Server.Given(Request.Create().WithPath("/v2/library/nodigest/manifests/latest").UsingHead())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", MediaTypes.DockerManifest));
        Upstream.Server.Given(Request.Create().WithPath("/v2/library/nodigest/manifests/latest").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", MediaTypes.DockerManifest).WithBody(content));

        using var response = await Client.GetAsync("/v2/library/nodigest/manifests/latest");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content));
            Assert.That(response.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(Digest.Compute(content).ToString()));
        });
    }

    [Test]
    public async Task Get_UnknownTag_Is404ManifestUnknown()
    {
        using var response = await Client.GetAsync("/v2/library/busybox/manifests/nope");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("MANIFEST_UNKNOWN"));
    }

    [Test]
    public async Task Get_ByDigestUpstreamSaysNameUnknown_Is404NameUnknown()
    {
        // A GET carries the upstream's error body (a HEAD cannot), so its code reaches the client.
        Upstream.Server.Given(Request.Create().WithPath($"/v2/library/ghost/manifests/{Config}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/json")
                .WithBody("{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known to registry\"}]}"));

        using var response = await Client.GetAsync($"/v2/library/ghost/manifests/{Config}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("NAME_UNKNOWN"));
    }

    [Test]
    public async Task Get_ManifestOver4MiB_IsRefusedAndNotStored()
    {
        var huge = new byte[(4 * 1024 * 1024) + 1];
        huge.AsSpan().Fill((byte)' ');
        var digest = Upstream.AddManifest("library/huge", "latest", huge, MediaTypes.DockerManifest);

        using var response = await Client.GetAsync("/v2/library/huge/manifests/latest");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
            Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("MANIFEST_INVALID"));
            Assert.That(Directory.GetFiles(TempDir.Combine("store", "manifests"), "*", SearchOption.AllDirectories), Is.Empty);
        });
    }

    [Test]
    public async Task Get_ByDigestUpstreamSendsOtherBytes_IsRefusedAndNotStored()
    {
        var claimed = Digest.Compute("the real manifest"u8);
        Upstream.Server.Given(Request.Create().WithPath($"/v2/library/liar/manifests/{claimed}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", MediaTypes.DockerManifest)
                .WithHeader("Docker-Content-Digest", claimed.ToString()).WithBody("{\"schemaVersion\":2}"));

        using var response = await Client.GetAsync($"/v2/library/liar/manifests/{claimed}");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway));
            Assert.That(Directory.GetFiles(TempDir.Combine("store", "manifests"), "*", SearchOption.AllDirectories), Is.Empty);
        });
    }

    [Test]
    public async Task Get_ConcurrentSameTag_ShareOneHeadAndOneGet()
    {
        var content = Manifests.Image(Config, Layer);
        var digest = Digest.Compute(content);
        Upstream.Server.Given(Request.Create().WithPath("/v2/library/slow/manifests/latest").UsingHead())
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromMilliseconds(500))
                .WithHeader("Content-Type", MediaTypes.DockerManifest).WithHeader("Docker-Content-Digest", digest.ToString()));
        Upstream.Server.Given(Request.Create().WithPath($"/v2/library/slow/manifests/{digest}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromMilliseconds(500))
                .WithHeader("Content-Type", MediaTypes.DockerManifest).WithBody(content));

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Client.GetAsync("/v2/library/slow/manifests/latest")));

        Assert.Multiple(async () =>
        {
            foreach (var response in responses)
            {
                Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content));
                response.Dispose();
            }

            Assert.That(Upstream.Count("HEAD", "/v2/library/slow/manifests/latest"), Is.EqualTo(1));
            Assert.That(Upstream.Count("GET", $"/v2/library/slow/manifests/{digest}"), Is.EqualTo(1));
        });
    }
}
