using System.Net;
using System.Security.Cryptography;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// Upstream faults end to end: the mirror as a process, Debian's docker-registry as the upstream, and the
/// suite's fault proxy between them throttling, cutting, corrupting and refusing; and the mirror killed with
/// SIGKILL in the middle of a fill.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class FaultTests
{
    private const string Repository = "library/faults";

    private TestDirectory _directory = null!;
    private UpstreamRegistry _upstream = null!;
    private FaultProxy _proxy = null!;
    private MirrorProcess _mirror = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), tokens: null);
        _proxy = FaultProxy.Start(_upstream.Url);
        _mirror = await MirrorProcess.StartAsync(_directory.Combine("mirror"), _proxy.Url);
        _client = new HttpClient { BaseAddress = _mirror.Url };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client?.Dispose();
        _mirror?.Dispose();
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        _upstream?.Dispose();
        _directory?.Dispose();
    }

    [SetUp]
    public void ResetFaults() => _proxy.Reset();

    [Test]
    public async Task Throttled_TenClients_OneUpstreamGetStreamedToAllAsItArrives()
    {
        var blob = await PushAsync(4 * 1024 * 1024);
        _proxy.BytesPerSecond = 2 * 1024 * 1024;
        var forwardedBefore = _proxy.Forwarded;

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _client.GetAsync(BlobPath(blob), HttpCompletionOption.ResponseHeadersRead)));
        var streams = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStreamAsync()));
        var first = await Task.WhenAll(streams.Select(s => s.ReadAsync(new byte[64 * 1024]).AsTask()));
        var relayedAtFirstBytes = _proxy.Forwarded - forwardedBefore;
        var hashes = await Task.WhenAll(streams.Select(async (s, i) =>
        {
            using var rest = new MemoryStream();
            await s.CopyToAsync(rest);
            return (first[i], rest.Length);
        }));

        Assert.Multiple(async () =>
        {
            Assert.That(first, Is.All.GreaterThan(0));
            Assert.That(relayedAtFirstBytes, Is.LessThan(blob.Content.Length), "every client had bytes before the upstream's body had all arrived");
            Assert.That(hashes.Select(h => h.Item1 + h.Length), Is.All.EqualTo(blob.Content.Length));
            Assert.That(await BodyDigestAsync(blob), Is.EqualTo(blob.Digest), "and the stored copy verifies");
            Assert.That(_upstream.Gets(blob.Digest), Is.EqualTo(1));
        });
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Test]
    public async Task CutOnce_FillResumesAndTheClientGetsTheVerifiedBlob()
    {
        var blob = await PushAsync(3 * 1024 * 1024);
        _proxy.Marker = blob.Content[..64];
        _proxy.CutAfter = 1024 * 1024;
        _proxy.CutTimes = 1;

        var body = await _client.GetByteArrayAsync(BlobPath(blob));

        // The client has its last byte once the blob verified; the commit (past an fsync) follows.
        await Eventually.TrueAsync(() => File.Exists(StoredPath(_mirror, blob)), "the resumed blob is committed under its digest");
        Assert.Multiple(() =>
        {
            Assert.That(Digest.Compute(body), Is.EqualTo(blob.Digest));
            Assert.That(_upstream.Requests.Count(r => r == $"GET {BlobPath(blob)}"), Is.EqualTo(2), "the cut first GET and the resume");
        });
    }

    [Test]
    public async Task FlippedByte_ClientIsCutOffNothingIsStoredAndACleanFetchFollows()
    {
        var blob = await PushAsync(3 * 1024 * 1024);
        _proxy.Marker = blob.Content[..64];
        _proxy.FlipAt = 2 * 1024 * 1024;

        Assert.That(async () => await _client.GetByteArrayAsync(BlobPath(blob)), Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
        Assert.That(File.Exists(StoredPath(_mirror, blob)), Is.False);

        _proxy.Reset();
        var body = await _client.GetByteArrayAsync(BlobPath(blob));
        Assert.That(Digest.Compute(body), Is.EqualTo(blob.Digest));
    }

    [Test]
    public async Task Refused_UncachedIs503WithOciErrorAndCachedIsStillServed()
    {
        var cached = await PushAsync(100_000);
        var uncached = await PushAsync(100_000);
        (await _client.GetByteArrayAsync(BlobPath(cached))).AsSpan();
        _proxy.Refuse();
        try
        {
            var body = await _client.GetByteArrayAsync(BlobPath(cached));
            using var response = await _client.GetAsync(BlobPath(uncached));

            Assert.Multiple(async () =>
            {
                Assert.That(Digest.Compute(body), Is.EqualTo(cached.Digest));
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
                Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("UNAVAILABLE"));
            });
        }
        finally
        {
            _proxy.Accept();
        }
    }

    [Test]
    public async Task DockerPull_WithTheUpstreamCutMidLayer_Succeeds()
    {
        var layer = TestImage.FileLayer("big.bin", 3 * 1024 * 1024, 42);
        var image = TestImage.Single("library/flaky", "latest", oci: false, TestImage.Busybox(), layer);
        await _upstream.PushAsync(image, tokens: null);
        _proxy.Marker = layer.Content[..64];
        _proxy.CutAfter = 1024 * 1024;
        _proxy.CutTimes = 1;
        using var docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), _mirror.Url);

        var pull = await docker.DockerAsync("pull", image.DockerName);

        Assert.Multiple(() =>
        {
            Assert.That(pull.Succeeded, Is.True, pull.ToString());
            Assert.That(_upstream.Requests.Count(r => r == $"GET /v2/library/flaky/blobs/{layer.Digest}"), Is.EqualTo(2), "the mirror resumed; docker saw one download");
        });
    }

    [Test]
    public async Task Sigkill_MidFill_LeavesNoPartialBlobAndTheRestartCleansUp()
    {
        var blob = await PushAsync(4 * 1024 * 1024);
        var directory = _directory.Combine("killed");
        var mirror = await MirrorProcess.StartAsync(directory, _proxy.Url);
        var temp = Path.Combine(mirror.Store, "tmp");
        _proxy.BytesPerSecond = 1024 * 1024;
        using var client = new HttpClient { BaseAddress = mirror.Url };
        var download = client.GetByteArrayAsync(BlobPath(blob));
        await Eventually.TrueAsync(() => Directory.EnumerateFiles(temp).Any(f => new FileInfo(f).Length > 0), "the fill has written part of the blob to its temp file");

        mirror.Kill();
        Assert.That(async () => await download, Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
        var leftBehind = Directory.GetFiles(temp).Length;
        var storedAfterKill = File.Exists(StoredPath(mirror, blob));
        mirror.Dispose();

        _proxy.Reset();
        using var restarted = await MirrorProcess.StartAsync(directory, _proxy.Url);
        var tempAfterRestart = Directory.GetFiles(temp).Length;
        using var client2 = new HttpClient { BaseAddress = restarted.Url };
        var body = await client2.GetByteArrayAsync(BlobPath(blob));

        Assert.Multiple(() =>
        {
            Assert.That(leftBehind, Is.EqualTo(1), "the kill interrupted a fill");
            Assert.That(storedAfterKill, Is.False, "a partial blob never gets its digest's name");
            Assert.That(tempAfterRestart, Is.Zero);
            Assert.That(restarted.Output, Does.Contain("removed 1 temp files"));
            Assert.That(Digest.Compute(body), Is.EqualTo(blob.Digest));
        });
    }

    private static string BlobPath(ImageBlob blob) => $"/v2/{Repository}/blobs/{blob.Digest}";

    private static string StoredPath(MirrorProcess mirror, ImageBlob blob) =>
        Path.Combine(mirror.Store, "blobs", "sha256", blob.Digest.Hex[..2], blob.Digest.Hex);

    private async Task<Digest> BodyDigestAsync(ImageBlob blob)
    {
        var path = StoredPath(_mirror, blob);
        await Eventually.TrueAsync(() => File.Exists(path), "the blob is committed under its digest");

        await using var file = File.OpenRead(path);
        return Digest.FromHash("sha256", await SHA256.HashDataAsync(file));
    }

    private async Task<ImageBlob> PushAsync(int size)
    {
        var blob = new ImageBlob(RandomNumberGenerator.GetBytes(size), "application/octet-stream");
        await _upstream.PushBlobAsync(Repository, blob);
        return blob;
    }
}
