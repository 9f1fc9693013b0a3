using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.Gateway;

[TestFixture]
internal sealed class BlobEndpointTests : InProcessMirrorTests
{
    [Test]
    public async Task Get_Miss_StreamsUpstreamBytesAndStoresThemUnderTheirDigest()
    {
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var digest = Upstream.AddBlob("library/busybox", content);

        using var response = await Client.GetAsync($"/v2/library/busybox/blobs/{digest}");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(content.Length));
            Assert.That(response.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(digest.ToString()));
            Assert.That(response.Headers.ETag?.Tag, Is.EqualTo($"\"{digest}\""));
            Assert.That(await MirrorHost.ReadCommittedBlobAsync(digest), Is.EqualTo(content));
        });
    }

    [Test]
    public async Task Get_Hit_IsServedFromDiskWithNoUpstreamRequest()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var digest = Upstream.AddBlob("library/busybox", content);
        (await Client.GetAsync($"/v2/library/busybox/blobs/{digest}")).Dispose();
        Upstream.Server.ResetLogEntries();

        using var response = await Client.GetAsync($"/v2/library/busybox/blobs/{digest}");

        Assert.Multiple(async () =>
        {
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content));
            Assert.That(response.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(digest.ToString()));
            Assert.That(response.Headers.ETag?.Tag, Is.EqualTo($"\"{digest}\""));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task Get_HitInAnotherRepositoryThatHoldsIt_IsServedFromTheSameFileAfterOneHead()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var digest = Upstream.AddBlob("library/busybox", content);
        Upstream.AddBlob("org/other", content);
        (await Client.GetAsync($"/v2/library/busybox/blobs/{digest}")).Dispose();
        Upstream.Server.ResetLogEntries();

        using var response = await Client.GetAsync($"/v2/org/other/blobs/{digest}");

        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content));
        Assert.That(Upstream.Log.Select(e => $"{e.RequestMessage.Method} {e.RequestMessage.Path}"), Is.EqualTo(new[] { $"HEAD /v2/org/other/blobs/{digest}" }));
    }

    [TestCase("GET")]
    [TestCase("HEAD")]
    public async Task IfNoneMatch_TheDigestsETag_Is304WithoutABody_AnotherIsServed(string method)
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var digest = Upstream.AddBlob("library/busybox", content);
        (await Client.GetAsync($"/v2/library/busybox/blobs/{digest}")).Dispose();
        await MirrorHost.ReadCommittedBlobAsync(digest);

        using var same = new HttpRequestMessage(new HttpMethod(method), $"/v2/library/busybox/blobs/{digest}");
        same.Headers.TryAddWithoutValidation("If-None-Match", $"\"{digest}\"");
        using var notModified = await Client.SendAsync(same);
        using var other = new HttpRequestMessage(new HttpMethod(method), $"/v2/library/busybox/blobs/{digest}");
        other.Headers.TryAddWithoutValidation("If-None-Match", "\"sha256:0000\"");
        using var modified = await Client.SendAsync(other);

        Assert.Multiple(async () =>
        {
            Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
            Assert.That(await notModified.Content.ReadAsByteArrayAsync(), Is.Empty);
            Assert.That(notModified.Headers.ETag?.Tag, Is.EqualTo($"\"{digest}\""));
            Assert.That(modified.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [TestCase("bytes=0-9", 0, 10)]
    [TestCase("bytes=100-", 100, 900)]
    [TestCase("bytes=-24", 976, 24)]
    [TestCase("bytes=990-5000", 990, 10)]
    public async Task Get_RangeOnHit_Is206WithThatRange(string range, int start, int length)
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var digest = Upstream.AddBlob("library/busybox", content);
        (await Client.GetAsync($"/v2/library/busybox/blobs/{digest}")).Dispose();

        using var response = await GetRangeAsync(digest, range);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content.AsSpan(start, length).ToArray()));
            Assert.That(response.Content.Headers.ContentRange?.ToString(), Is.EqualTo($"bytes {start}-{start + length - 1}/1000"));
        });
    }

    [Test]
    public async Task Get_RangeBeyondTheEndOnHit_Is416()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var digest = Upstream.AddBlob("library/busybox", content);
        (await Client.GetAsync($"/v2/library/busybox/blobs/{digest}")).Dispose();

        using var response = await GetRangeAsync(digest, "bytes=1000-");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestedRangeNotSatisfiable));
    }

    [Test]
    public async Task Get_RangeBeyondTheEndOnMiss_Is416()
    {
        await using var upstream = await BlobUpstream.StartAsync();
        var digest = upstream.Add("library/busybox", RandomNumberGenerator.GetBytes(1000));
        using var mirror = new MirrorFactory(upstream.Url.ToString(), TempDir.Combine("other"));
        using var client = mirror.CreateClient();

        using var response = await GetRangeAsync(client, digest, "bytes=1000-");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestedRangeNotSatisfiable));
    }

    [Test]
    public async Task Get_RangeOnMiss_IsAnsweredFromTheFill()
    {
        await using var upstream = await BlobUpstream.StartAsync();
        var content = RandomNumberGenerator.GetBytes(500_000);
        var digest = upstream.Add("library/busybox", content);
        using var mirror = new MirrorFactory(upstream.Url.ToString(), TempDir.Combine("other"));
        using var client = mirror.CreateClient();

        using var response = await GetRangeAsync(client, digest, "bytes=1000-1999");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content.AsSpan(1000, 1000).ToArray()));
            Assert.That(response.Content.Headers.ContentRange?.ToString(), Is.EqualTo("bytes 1000-1999/500000"));
        });
    }

    [Test]
    public async Task Get_RangeOnMissOfUnknownLength_IsTheRangeOnceKnownElseTheWholeBlob()
    {
        // WireMock sends bodies chunked, without Content-Length. Until the fill ends the length is unknown
        // and the whole blob is sent (RFC 9110 14.2 lets a server ignore Range); after, the range is.
        var content = RandomNumberGenerator.GetBytes(5000);
        var digest = Upstream.AddBlob("library/busybox", content);

        using var response = await GetRangeAsync(digest, "bytes=1000-1999");

        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.That(
            (response.StatusCode, body),
            Is.EqualTo((HttpStatusCode.OK, content)).Or.EqualTo((HttpStatusCode.PartialContent, content[1000..2000])));
    }

    [Test]
    public async Task Head_Miss_StaysAHeadUpstreamAndStoresNothing()
    {
        var content = RandomNumberGenerator.GetBytes(1234);
        var digest = Upstream.AddBlob("library/busybox", content);

        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/library/busybox/blobs/{digest}"));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(1234));
            Assert.That(response.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(digest.ToString()));
            Assert.That(Upstream.Count("HEAD", $"/v2/library/busybox/blobs/{digest}"), Is.EqualTo(1));
            Assert.That(Upstream.Count("GET", "/v2/"), Is.Zero);
            Assert.That(File.Exists(BlobFile(digest)), Is.False);
        });
    }

    [Test]
    public async Task Head_Hit_HasLengthAndDigestAndNoUpstreamRequest()
    {
        var content = RandomNumberGenerator.GetBytes(1234);
        var digest = Upstream.AddBlob("library/busybox", content);
        (await Client.GetAsync($"/v2/library/busybox/blobs/{digest}")).Dispose();
        Upstream.Server.ResetLogEntries();

        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/library/busybox/blobs/{digest}"));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(1234));
            Assert.That(response.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(digest.ToString()));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
            Assert.That(Upstream.Log.Select(e => $"{e.RequestMessage.Method} {e.RequestMessage.Path}"), Is.Empty);
        });
    }

    [TestCase("GET")]
    [TestCase("HEAD")]
    public async Task Get_Unknown_Is404BlobUnknown(string method)
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/v2/library/busybox/blobs/{Digest.Compute("nothing"u8)}"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        if (method == "GET")
        {
            Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("BLOB_UNKNOWN"));
        }
    }

    [Test]
    public async Task Get_UpstreamBytesDoNotMatchDigest_ClientNeverCompletesAndNothingIsStored()
    {
        var claimed = Digest.Compute(new byte[200_000]);
        var other = RandomNumberGenerator.GetBytes(200_000);
        Upstream.Server.Given(Request.Create().WithPath($"/v2/library/busybox/blobs/{claimed}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/octet-stream").WithBody(other));

        Assert.That(async () => await (await Client.GetAsync($"/v2/library/busybox/blobs/{claimed}")).Content.ReadAsByteArrayAsync(), Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
        Assert.That(File.Exists(BlobFile(claimed)), Is.False);
    }

    private Task<HttpResponseMessage> GetRangeAsync(Digest digest, string range) => GetRangeAsync(Client, digest, range);

    private static Task<HttpResponseMessage> GetRangeAsync(HttpClient client, Digest digest, string range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/library/busybox/blobs/{digest}");
        request.Headers.Range = RangeHeaderValue.Parse(range);
        return client.SendAsync(request);
    }

    private string BlobFile(Digest digest) => TempDir.Combine("store", "blobs", "sha256", digest.Hex[..2], digest.Hex);
}
