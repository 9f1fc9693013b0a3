using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Mirror.Cache.Blobs;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// Ranges of a blob that is filling from a slow upstream are answered at once: from the fill's bytes when
/// they are on disk, else by a ranged upstream request of their own, never held back for the digest (the
/// lazy-pulling clients that ask for ranges verify them); full GETs still are.
/// </summary>
[TestFixture]
internal sealed class FillRangeTests
{
    private const string Repository = "library/busybox";

    /// <summary>8 MiB at 256 KiB/s: the fill takes over 30 s; each range must take under <see cref="Promptly"/>.</summary>
    private const int SlowBlob = 8 * 1024 * 1024;

    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(5);

    private TestDirectory _directory = null!;
    private BlobUpstream _upstream = null!;
    private MirrorFactory _mirror = null!;
    private HttpClient _client = null!;
    private MetricCollector<long> _rangeRequests = null!;

    [SetUp]
    public async Task SetUp()
    {
        _directory = new TestDirectory();
        _upstream = await BlobUpstream.StartAsync();
        _mirror = new MirrorFactory(_upstream.Url.ToString(), _directory.Combine("store"));
        _client = _mirror.CreateClient();
        _rangeRequests = new MetricCollector<long>(_mirror.Services.GetRequiredService<IMeterFactory>(), MirrorMetrics.MeterName, "mirror_upstream_range_requests");
    }

    [TearDown]
    public async Task TearDown()
    {
        _rangeRequests.Dispose();
        _client.Dispose();
        _mirror.Dispose();
        await _upstream.DisposeAsync();
        _directory.Dispose();
    }

    [Test]
    public async Task Get_RangesDuringAThrottledFill_AnsweredAtOnceWithTheUpstreamsBytes()
    {
        var content = RandomNumberGenerator.GetBytes(SlowBlob);
        var digest = _upstream.Add(Repository, content, new BlobFaults { BytesPerSecond = 256 * 1024 });
        using var full = await _client.GetAsync(BlobPath(digest), HttpCompletionOption.ResponseHeadersRead);
        await using var fullBody = await full.Content.ReadAsStreamAsync();
        await fullBody.ReadExactlyAsync(new byte[64 * 1024]);

        // On disk already (the start, and bytes the fill has), past the fill's position (the middle), and the
        // blob's last bytes (stargz reads its footer first).
        (long From, long To)[] asked = [(0, 99), (1000, 1999), (SlowBlob / 2, (SlowBlob / 2) + 65_535), (SlowBlob - 100, SlowBlob - 1)];
        var answers = new List<(HttpStatusCode Status, byte[] Body, TimeSpan Took)>();
        foreach (var (from, to) in asked)
        {
            answers.Add(await TimedRangeAsync(digest, from, to));
        }

        Assert.Multiple(() =>
        {
            foreach (var ((from, to), answer) in asked.Zip(answers))
            {
                Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.PartialContent), $"bytes {from}-{to}");
                Assert.That(answer.Body, Is.EqualTo(content[(int)from..(int)(to + 1)]), $"bytes {from}-{to}");
                Assert.That(answer.Took, Is.LessThan(Promptly), $"bytes {from}-{to}");
            }

            Assert.That(_mirror.Services.GetRequiredService<FillsInFlight>().Now(), Has.Count.EqualTo(1), "the fill still runs: no range waited for it");
            Assert.That(FillGets(), Is.EqualTo(1));
            Assert.That(RangeGets(), Is.EqualTo(new[] { $"bytes={SlowBlob / 2}-{(SlowBlob / 2) + 65_535}", $"bytes={SlowBlob - 100}-{SlowBlob - 1}" }));
            Assert.That(_rangeRequests.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Get_RangeOfABlobNeitherStoredNorFilling_StartsTheOneFillAndIsAnsweredAtOnce()
    {
        var content = RandomNumberGenerator.GetBytes(SlowBlob);
        var digest = _upstream.Add(Repository, content, new BlobFaults { BytesPerSecond = 256 * 1024 });

        var middle = await TimedRangeAsync(digest, 3_000_000, 3_000_099);
        var again = await TimedRangeAsync(digest, 5_000_000, 5_000_099);

        Assert.Multiple(() =>
        {
            Assert.That(middle.Body, Is.EqualTo(content[3_000_000..3_000_100]));
            Assert.That(again.Body, Is.EqualTo(content[5_000_000..5_000_100]));
            Assert.That(middle.Took + again.Took, Is.LessThan(Promptly));
            Assert.That(_mirror.Services.GetRequiredService<FillsInFlight>().Now().Select(f => f.Digest), Is.EqualTo(new[] { digest }));
            Assert.That(FillGets(), Is.EqualTo(1));
            Assert.That(RangeGets(), Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task Get_FillThatFailsVerification_RangesWereAnsweredButEveryFullGetIsCutAndNothingStored()
    {
        var content = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        var digest = _upstream.Add(Repository, content, new BlobFaults { BytesPerSecond = 256 * 1024, FlipAt = content.Length - 10 });
        var fulls = Enumerable.Range(0, 2).Select(_ => ReadWholeAsync(digest)).ToList();

        var first = await TimedRangeAsync(digest, 0, 99);
        var last = await TimedRangeAsync(digest, content.Length - 5, content.Length - 1);
        var outcomes = await Task.WhenAll(fulls);
        await Eventually.TrueAsync(() => _mirror.Services.GetRequiredService<FillsInFlight>().Now().Count == 0, "the failed fill has ended");

        Assert.Multiple(() =>
        {
            Assert.That(first.Body, Is.EqualTo(content[..100]), "a range is not held back for the digest");
            Assert.That(first.Took, Is.LessThan(Promptly));
            Assert.That(last.Body, Is.EqualTo(content[^5..]), "the upstream's last bytes (the flipped byte is before them)");
            Assert.That(last.Took, Is.LessThan(Promptly));
            Assert.That(outcomes, Is.All.EqualTo("cut off"));
            Assert.That(File.Exists(_directory.Combine("store", "blobs", "sha256", digest.Hex[..2], digest.Hex)), Is.False);
            Assert.That(_mirror.Logs.Lines, Has.Some.Contains("[1003]"));
        });
    }

    [Test]
    public async Task Get_RangeThatIsTheWholeFillingBlob_KeepsTheLastByteUntilVerified()
    {
        var content = RandomNumberGenerator.GetBytes(512 * 1024);
        var digest = _upstream.Add(Repository, content, new BlobFaults { BytesPerSecond = 512 * 1024, FlipAt = content.Length - 1 });

        using var request = new HttpRequestMessage(HttpMethod.Get, BlobPath(digest));
        request.Headers.Range = new RangeHeaderValue(0, null);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(async () => await response.Content.ReadAsByteArrayAsync(), Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
    }

    [Test]
    public async Task Get_RangeOfAFillingBlobWithIfRangeOfAnotherETag_IsTheWholeBlob()
    {
        var content = RandomNumberGenerator.GetBytes(256 * 1024);
        var digest = _upstream.Add(Repository, content, new BlobFaults { BytesPerSecond = 512 * 1024 });

        using var request = new HttpRequestMessage(HttpMethod.Get, BlobPath(digest));
        request.Headers.Range = new RangeHeaderValue(100, 199);
        request.Headers.TryAddWithoutValidation("If-Range", "\"sha256:0000\"");
        using var response = await _client.SendAsync(request);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(content));
            Assert.That(RangeGets(), Is.Empty);
        });
    }

    private static string BlobPath(Digest digest) => $"/v2/{Repository}/blobs/{digest}";

    /// <summary>The upstream GETs without a <c>Range</c>: fills.</summary>
    private int FillGets() => _upstream.Log.Count(l => l.StartsWith("GET ", StringComparison.Ordinal) && !l.Contains("bytes=", StringComparison.Ordinal));

    /// <summary>The ranges the upstream was asked for (no fill resumes here: the upstream does not break off).</summary>
    private List<string> RangeGets() => _upstream.Log.Where(l => l.Contains("bytes=", StringComparison.Ordinal)).Select(l => l[l.IndexOf("bytes=", StringComparison.Ordinal)..]).ToList();

    private async Task<(HttpStatusCode Status, byte[] Body, TimeSpan Took)> TimedRangeAsync(Digest digest, long from, long to)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BlobPath(digest));
        request.Headers.Range = new RangeHeaderValue(from, to);
        var clock = Stopwatch.StartNew();
        using var response = await _client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        return (response.StatusCode, body, clock.Elapsed);
    }

    private async Task<string> ReadWholeAsync(Digest digest)
    {
        try
        {
            await _client.GetByteArrayAsync(BlobPath(digest));
            return "completed";
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return "cut off";
        }
    }
}
