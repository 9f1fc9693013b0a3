using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// Several ranges in one request are answered <c>206 multipart/byteranges</c> (RFC 9110 14.6), as
/// distribution does through Go's ServeContent, up to <c>mirror.limits.maxranges</c>; above it, or when
/// <c>If-Range</c> names another representation, the whole blob comes back <c>200</c>.
/// </summary>
[TestFixture]
internal sealed class MultipleRangesTests
{
    private const string Repository = "library/busybox";

    private TestDirectory _directory = null!;
    private BlobUpstream _upstream = null!;
    private MirrorFactory _mirror = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SetUp()
    {
        _directory = new TestDirectory();
        _upstream = await BlobUpstream.StartAsync();
        _mirror = new MirrorFactory(_upstream.Url.ToString(), _directory.Combine("store"), new Dictionary<string, string?> { ["mirror:limits:maxranges"] = "3" });
        _client = _mirror.CreateClient();
    }

    [TearDown]
    public async Task TearDown()
    {
        _client.Dispose();
        _mirror.Dispose();
        await _upstream.DisposeAsync();
        _directory.Dispose();
    }

    [Test]
    public async Task Get_SeveralRangesOfAStoredBlob_Is206MultipartWithEachRangesBytes()
    {
        var (content, digest) = await StoredAsync(100_000);

        using var response = await GetAsync(digest, "bytes=0-9,100-109,-20");
        var parts = await PartsAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("multipart/byteranges"));
            Assert.That(response.Content.Headers.ContentRange, Is.Null);
            Assert.That(parts.Select(p => p.Range), Is.EqualTo(new[] { "bytes 0-9/100000", "bytes 100-109/100000", "bytes 99980-99999/100000" }));
            Assert.That(parts.Select(p => p.Type), Is.All.EqualTo("application/octet-stream"));
            Assert.That(parts[0].Body, Is.EqualTo(content[..10]));
            Assert.That(parts[1].Body, Is.EqualTo(content[100..110]));
            Assert.That(parts[2].Body, Is.EqualTo(content[^20..]));
        });
    }

    [Test]
    public async Task Get_MoreRangesThanMaxRanges_Is200WithTheWholeBlob()
    {
        var (content, digest) = await StoredAsync(10_000);

        using var response = await GetAsync(digest, "bytes=0-0,10-10,20-20,30-30");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content));
        });
    }

    [Test]
    public async Task Get_RangesThatTogetherAreTheBlob_Is200WithTheWholeBlob()
    {
        var (content, digest) = await StoredAsync(1000);

        using var response = await GetAsync(digest, "bytes=0-599,400-999");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content));
        });
    }

    [Test]
    public async Task Get_RangesOfWhichOnlyOneIsInTheBlob_Is206WithThatRangeAlone()
    {
        var (content, digest) = await StoredAsync(1000);

        using var response = await GetAsync(digest, "bytes=10-19,5000-6000");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(response.Content.Headers.ContentRange?.ToString(), Is.EqualTo("bytes 10-19/1000"));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content[10..20]));
        });
    }

    [TestCase("\"{digest}\"", HttpStatusCode.PartialContent)]
    [TestCase("\"sha256:0000\"", HttpStatusCode.OK)]
    [TestCase("W/\"{digest}\"", HttpStatusCode.OK)]
    [TestCase("Wed, 21 Oct 2015 07:28:00 GMT", HttpStatusCode.OK)]
    public async Task Get_RangeWithIfRange_IsTheRangeOnlyWhenItNamesTheDigest(string ifRange, HttpStatusCode expected)
    {
        var (content, digest) = await StoredAsync(1000);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{Repository}/blobs/{digest}");
        request.Headers.Range = new RangeHeaderValue(10, 19);
        request.Headers.TryAddWithoutValidation("If-Range", ifRange.Replace("{digest}", digest.ToString(), StringComparison.Ordinal));

        using var response = await _client.SendAsync(request);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(expected));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(expected == HttpStatusCode.OK ? content : content[10..20]));
        });
    }

    [Test]
    public async Task Get_SeveralRangesOfAFillingBlob_Is206MultipartAtOnce()
    {
        var content = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var digest = _upstream.Add(Repository, content, new BlobFaults { BytesPerSecond = 256 * 1024 });
        var started = System.Diagnostics.Stopwatch.StartNew();

        using var response = await GetAsync(digest, "bytes=0-9,4000000-4000099,-100");
        var parts = await PartsAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "the fill takes 32 s");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(parts.Select(p => p.Range), Is.EqualTo(new[] { "bytes 0-9/8388608", "bytes 4000000-4000099/8388608", "bytes 8388508-8388607/8388608" }));
            Assert.That(parts[0].Body, Is.EqualTo(content[..10]));
            Assert.That(parts[1].Body, Is.EqualTo(content[4_000_000..4_000_100]));
            Assert.That(parts[2].Body, Is.EqualTo(content[^100..]));
        });
    }

    private async Task<(byte[] Content, Digest Digest)> StoredAsync(int length)
    {
        var content = RandomNumberGenerator.GetBytes(length);
        var digest = _upstream.Add(Repository, content);
        await _client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}");
        await _mirror.ReadCommittedBlobAsync(digest);
        return (content, digest);
    }

    private Task<HttpResponseMessage> GetAsync(Digest digest, string range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{Repository}/blobs/{digest}");
        request.Headers.Range = RangeHeaderValue.Parse(range);
        return _client.SendAsync(request);
    }

    /// <summary>The parts of a <c>multipart/byteranges</c> body, read by ASP.NET Core's own multipart parser.</summary>
    private static async Task<List<(string Range, string Type, byte[] Body)>> PartsAsync(HttpResponseMessage response)
    {
        var boundary = response.Content.Headers.ContentType?.Parameters.Single(p => p.Name == "boundary").Value ?? string.Empty;
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.That(body, Has.Length.EqualTo(response.Content.Headers.ContentLength));
        var reader = new MultipartReader(boundary, new MemoryStream(body));
        var parts = new List<(string, string, byte[])>();
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            using var bytes = new MemoryStream();
            await section.Body.CopyToAsync(bytes);
            parts.Add((section.Headers!["Content-Range"].ToString(), section.ContentType!, bytes.ToArray()));
        }

        return parts;
    }
}
