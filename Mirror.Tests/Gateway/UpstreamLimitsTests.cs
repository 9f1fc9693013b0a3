using System.Net;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.Gateway;

/// <summary>
/// <c>mirror.limits</c> on what upstreams send: a tag list (its bytes and pages) and a token realm's answer
/// are read only up to their bounds, and past one the client gets a 502 whose OCI error names the key.
/// The lying upstreams count the bytes the mirror took from them.
/// </summary>
[TestFixture]
internal sealed class UpstreamLimitsTests : FakeUpstreamTests
{
    /// <summary>What a lying upstream offers: far past every bound, and past what socket buffers hold.</summary>
    private const long Offered = 96L << 20;

    /// <summary>What the mirror may have taken of it: its bound, the socket buffers, and HttpClient's drain of 1 MiB.</summary>
    private const long Taken = 24L << 20;

    [Test]
    public async Task TagList_UpstreamWithoutEnd_Is502NamingTheBound_AndReadsNoFurther()
    {
        await using var upstream = EndlessUpstream.TagList("org/app", Offered);
        using var mirror = new MirrorFactory(upstream.Url.ToString().TrimEnd('/'), TempDir.Combine("store"), new Dictionary<string, string?>
        {
            ["mirror:limits:taglistbytes"] = "1MiB",
        });
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync("/v2/org/app/tags/list");

        await Eventually.TrueAsync(() => upstream.Finished == 1, "the upstream's answer ended (read, or cut off)");
        Assert.That(upstream.Written, Is.LessThan(Taken), "the mirror stopped reading at its bound, not at the upstream's end");
        await AssertOverLimitAsync(response, "mirror.limits.taglistbytes");
    }

    [Test]
    public async Task TagList_PagesTogetherOverTheBytes_Is502NamingTheBound()
    {
        var tags = string.Join(',', Enumerable.Range(0, 40).Select(i => $"\"tag-{i:D4}\""));
        Upstream.Server.Given(Request.Create().WithPath("/v2/org/app/tags/list").WithParam("last", "b").UsingGet()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithBody($"{{\"name\":\"org/app\",\"tags\":[{tags}]}}"));
        Upstream.Server.Given(Request.Create().WithPath("/v2/org/app/tags/list").UsingGet()).AtPriority(2)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Link", "</v2/org/app/tags/list?last=b>; rel=\"next\"")
                .WithBody($"{{\"name\":\"org/app\",\"tags\":[{tags}]}}"));
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?> { ["mirror:limits:taglistbytes"] = "600B" });
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync("/v2/org/app/tags/list");

        await AssertOverLimitAsync(response, "mirror.limits.taglistbytes");
        Assert.That(Upstream.Count("GET", "/v2/org/app/tags/list"), Is.EqualTo(2), "each page alone is within the bound");
    }

    [Test]
    public async Task TagList_PagesWithoutEnd_Is502NamingThePageBound_AfterThatManyPages()
    {
        Upstream.Server.Given(Request.Create().WithPath("/v2/org/app/tags/list").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Link", "</v2/org/app/tags/list?last=a>; rel=\"next\"")
                .WithBody("{\"name\":\"org/app\",\"tags\":[\"a\"]}"));
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?> { ["mirror:limits:taglistpages"] = "3" });
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync("/v2/org/app/tags/list");

        await AssertOverLimitAsync(response, "mirror.limits.taglistpages");
        Assert.That(Upstream.Count("GET", "/v2/org/app/tags/list"), Is.EqualTo(3), "a part of the list is not passed off as all of it");
    }

    [Test]
    public async Task Manifest_TokenRealmWithoutEnd_Is502NamingTheBound_AndReadsNoFurther()
    {
        await using var realm = EndlessUpstream.TokenRealm(Offered);
        Upstream.RequireBearer($"{realm.Url}token", "never-sent");
        Upstream.AddManifest("library/busybox", "latest", Manifests.Image(Digest.Compute("c"u8), Digest.Compute("l"u8)), MediaTypes.DockerManifest);
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?> { ["mirror:limits:tokenbytes"] = "64KiB" });
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync("/v2/library/busybox/manifests/latest");

        await Eventually.TrueAsync(() => realm.Finished == 1, "the realm's answer ended (read, or cut off)");
        Assert.Multiple(() =>
        {
            Assert.That(realm.Written, Is.LessThan(Taken), "the mirror stopped reading at its bound, not at the realm's end");
            Assert.That(Upstream.Log.Count(e => e.RequestMessage.Headers?.ContainsKey("Authorization") == true), Is.Zero, "no token came of it");
        });
        await AssertOverLimitAsync(response, "mirror.limits.tokenbytes");
    }

    [Test]
    public async Task AuthUpstream_TokenRealmWithoutEnd_TheMirrorsTokenServiceIs502NamingTheBound()
    {
        await using var realm = EndlessUpstream.TokenRealm(Offered);
        Upstream.RequireBearer($"{realm.Url}token", "never-sent");
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?>
        {
            ["auth:upstream:ttl"] = "1m",
            ["mirror:limits:tokenbytes"] = "64KiB",
        });
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync("/auth/token?service=mirror&scope=repository:org/app:pull");

        await AssertOverLimitAsync(response, "mirror.limits.tokenbytes");
    }

    [Test]
    public async Task TagList_WithinTheBounds_IsServedWhole()
    {
        Upstream.Server.Given(Request.Create().WithPath("/v2/org/app/tags/list").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"name\":\"org/app\",\"tags\":[\"a\",\"b\"]}"));
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?>
        {
            ["mirror:limits:taglistbytes"] = "35B",
            ["mirror:limits:taglistpages"] = "1",
        });
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync("/v2/org/app/tags/list");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a list of exactly the bound's bytes and pages is within it");
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"tags\":[\"a\",\"b\"]"));
        });
    }

    private static async Task AssertOverLimitAsync(HttpResponseMessage response, string key)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadGateway), body);
            Assert.That(OciErrors.CodeOf(body), Is.EqualTo("SIZE_INVALID"));
            Assert.That(body, Does.Contain(key), "the error names the key an operator raises");
        });
    }
}
