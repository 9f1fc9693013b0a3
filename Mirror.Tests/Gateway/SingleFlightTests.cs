using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.Gateway;

/// <summary>One upstream fetch per digest, streamed to every waiting client, and nothing corrupt ever served.</summary>
[TestFixture]
internal sealed class SingleFlightTests
{
    private const string Repository = "library/busybox";

    private TestDirectory _directory = null!;
    private BlobUpstream? _blobUpstream;
    private MirrorFactory? _blobMirror;
    private HttpClient? _blobClient;

    /// <summary>The blob upstream and a mirror in front of it, started by the tests that use them.</summary>
    private BlobUpstream _upstream => _blobUpstream ??= BlobUpstream.StartAsync().GetAwaiter().GetResult();

    private MirrorFactory _mirror => _blobMirror ??= new MirrorFactory(_upstream.Url.ToString(), _directory.Combine("store"));

    private HttpClient _client => _blobClient ??= _mirror.CreateClient();

    [SetUp]
    public void SetUp() => _directory = new TestDirectory();

    [TearDown]
    public async Task TearDown()
    {
        _blobClient?.Dispose();
        _blobMirror?.Dispose();
        if (_blobUpstream is not null)
        {
            await _blobUpstream.DisposeAsync();
        }

        (_blobClient, _blobMirror, _blobUpstream) = (null, null, null);
        _directory.Dispose();
    }

    [Test]
    public async Task Get_FiftyConcurrentClients_OneUpstreamGetAndEveryBodyVerified()
    {
        using var wireMock = new FakeRegistry();
        var content = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        var digest = Digest.Compute(content);
        wireMock.Server.Given(Request.Create().WithPath($"/v2/{Repository}/blobs/{digest}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromMilliseconds(300)).WithBody(content));
        using var mirror = new MirrorFactory(wireMock.Url, _directory.Combine("wiremock-store"));
        using var client = mirror.CreateClient();

        var bodies = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}")));

        Assert.Multiple(() =>
        {
            Assert.That(bodies.Select(b => Digest.Compute(b)), Is.All.EqualTo(digest));
            Assert.That(wireMock.Count("GET", $"/v2/{Repository}/blobs/"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Get_ThrottledUpstream_EveryClientGetsBytesBeforeTheUpstreamFinishes()
    {
        var content = RandomNumberGenerator.GetBytes(1024 * 1024);
        var digest = _upstream.Add(Repository, content, new BlobFaults { BytesPerSecond = 256 * 1024 });

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _client.GetAsync($"/v2/{Repository}/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead)));
        var streams = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStreamAsync()));
        var firstBytes = await Task.WhenAll(streams.Select(async s => await s.ReadAsync(new byte[16 * 1024])));
        var upstreamFinishedBeforeFirstBytes = _upstream.CompletedBodies;
        var rest = await Task.WhenAll(streams.Select(async s =>
        {
            using var buffer = new MemoryStream();
            await s.CopyToAsync(buffer);
            return buffer.Length;
        }));

        Assert.Multiple(() =>
        {
            Assert.That(firstBytes, Is.All.GreaterThan(0));
            Assert.That(upstreamFinishedBeforeFirstBytes, Is.Zero, "clients are streamed to while the fill runs, not after it");
            Assert.That(firstBytes.Zip(rest, (a, b) => a + b), Is.All.EqualTo(content.Length));
            Assert.That(_upstream.Count("GET"), Is.EqualTo(1));
        });
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Test]
    public async Task Get_StartingClientLeaves_FillGoesOnForTheOthersAndTheStore()
    {
        var content = RandomNumberGenerator.GetBytes(512 * 1024);
        var digest = _upstream.Add(Repository, content, new BlobFaults { BytesPerSecond = 512 * 1024 });
        using (var first = await _client.GetAsync($"/v2/{Repository}/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead))
        {
            await using var stream = await first.Content.ReadAsStreamAsync();
            Assert.That(await stream.ReadAsync(new byte[1024]), Is.GreaterThan(0));
        }

        var second = await _client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}");

        Assert.Multiple(async () =>
        {
            Assert.That(second, Is.EqualTo(content));
            Assert.That(await _mirror.ReadCommittedBlobAsync(digest), Is.EqualTo(content));
            Assert.That(_upstream.Count("GET"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Get_ParallelRangesDuringAFill_OneFillAndRangesPastItAskedOfTheUpstream()
    {
        var content = RandomNumberGenerator.GetBytes(1024 * 1024);
        var digest = _upstream.Add(Repository, content, new BlobFaults { BytesPerSecond = 1024 * 1024 });
        const int chunk = 256 * 1024;

        var parts = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{Repository}/blobs/{digest}");
            request.Headers.Range = new RangeHeaderValue(i * chunk, ((i + 1) * chunk) - 1);
            using var response = await _client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            return await response.Content.ReadAsByteArrayAsync();
        }));

        Assert.Multiple(() =>
        {
            Assert.That(parts.SelectMany(p => p).ToArray(), Is.EqualTo(content));
            // One fill (the only GET without a Range); ranges the fill reaches later are ranged requests of their own.
            Assert.That(_upstream.Log.Count(l => l.StartsWith("GET ", StringComparison.Ordinal) && !l.Contains("bytes=", StringComparison.Ordinal)), Is.EqualTo(1));
            Assert.That(_upstream.Log.Where(l => l.Contains("bytes=", StringComparison.Ordinal)), Is.All.Match("bytes=[0-9]+-[0-9]+$"));
        });
    }

    [Test]
    public async Task Get_UpstreamBreaksOffOnce_FillResumesWithARangeRequest()
    {
        var content = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        var digest = _upstream.Add(Repository, content, new BlobFaults { CutAfter = 1024 * 1024, CutTimes = 1 });

        var body = await _client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}");

        var gets = _upstream.Log.Where(l => l.StartsWith("GET", StringComparison.Ordinal)).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(body, Is.EqualTo(content));
            Assert.That(await _mirror.ReadCommittedBlobAsync(digest), Is.EqualTo(content));
            Assert.That(gets, Has.Count.EqualTo(2));
            Assert.That(gets.Last(), Does.Match(@"bytes=[1-9][0-9]*-$"), "the resume asks only for the bytes the fill lacks");
        });
    }

    [Test]
    public async Task Get_UpstreamIgnoresRangeOnResume_FillSkipsWhatItHas()
    {
        var content = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        var digest = _upstream.Add(Repository, content, new BlobFaults { CutAfter = 1024 * 1024, CutTimes = 1, IgnoreRange = true });

        var body = await _client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}");

        Assert.That(body, Is.EqualTo(content));
        Assert.That(await _mirror.ReadCommittedBlobAsync(digest), Is.EqualTo(content));
    }

    [Test]
    public async Task Get_UpstreamAlwaysBreaksOff_ClientNeverCompletesAndNothingIsStored()
    {
        var content = RandomNumberGenerator.GetBytes(1024 * 1024);
        var digest = _upstream.Add(Repository, content, new BlobFaults { CutAfter = 100 * 1024 });

        Assert.That(async () => await _client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}"), Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(BlobFile(digest)), Is.False);
            Assert.That(_upstream.Count("GET"), Is.EqualTo(4), "the first GET and three resumes");
        });
    }

    [Test]
    public async Task Get_OneByteFlipped_EveryClientCutOffNothingStoredAndTheNextFetchIsClean()
    {
        var content = RandomNumberGenerator.GetBytes(1024 * 1024);
        var faults = new BlobFaults { FlipAt = 700_000, BytesPerSecond = 2 * 1024 * 1024 };
        var digest = _upstream.Add(Repository, content, faults);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ =>
        {
            try
            {
                await _client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}");
                return "completed";
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                return "cut off";
            }
        }));
        var storedAfterMismatch = File.Exists(BlobFile(digest));
        faults.FlipAt = null;
        var clean = await _client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}");

        Assert.Multiple(() =>
        {
            Assert.That(attempts, Is.All.EqualTo("cut off"));
            Assert.That(storedAfterMismatch, Is.False);
            Assert.That(clean, Is.EqualTo(content));
            Assert.That(_mirror.Logs.Lines, Has.Some.Contains("[1003]"));
        });
    }

    [Test]
    public async Task Get_UpstreamFailsOnceWith500_FillAsksAgain()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var digest = _upstream.Add(Repository, content, new BlobFaults { FailFirst = 1 });

        var body = await _client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}");

        Assert.That(body, Is.EqualTo(content));
        Assert.That(_upstream.Count("GET"), Is.EqualTo(2));
    }

    [Test]
    public async Task Get_UpstreamResetsTheConnectionOnce_FillAsksAgain()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var digest = _upstream.Add(Repository, content, new BlobFaults { ResetFirst = 1 });

        var body = await _client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}");

        Assert.That(body, Is.EqualTo(content));
        Assert.That(_upstream.Count("GET"), Is.EqualTo(2));
    }

    [Test]
    public async Task Get_UpstreamSendsAnEmptyBodyOfUnknownLength_ClientIsCutOffAndNothingStored()
    {
        using var wireMock = new FakeRegistry();
        var digest = Digest.Compute(RandomNumberGenerator.GetBytes(100_000));
        var path = $"/v2/{Repository}/blobs/{digest}";
        wireMock.Server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithFault(WireMock.ResponseBuilders.FaultType.EMPTY_RESPONSE));
        using var mirror = new MirrorFactory(wireMock.Url, _directory.Combine("wiremock-store"));
        using var client = mirror.CreateClient();

        Assert.That(async () => await client.GetByteArrayAsync(path), Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
        Assert.That(Directory.GetFiles(_directory.Combine("wiremock-store", "blobs"), "*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public async Task Get_UpstreamSendsAMalformedChunk_ClientIsCutOffAndNothingStored()
    {
        using var wireMock = new FakeRegistry();
        var content = RandomNumberGenerator.GetBytes(100_000);
        var digest = Digest.Compute(content);
        var path = $"/v2/{Repository}/blobs/{digest}";
        wireMock.Server.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(content).WithFault(WireMock.ResponseBuilders.FaultType.MALFORMED_RESPONSE_CHUNK));
        using var mirror = new MirrorFactory(wireMock.Url, _directory.Combine("wiremock-store"));
        using var client = mirror.CreateClient();

        Assert.That(async () => await client.GetByteArrayAsync(path), Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
        Assert.That(Directory.GetFiles(_directory.Combine("wiremock-store", "blobs"), "*", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public async Task Get_StoreCannotCreateFiles_ClientIsStillServedVerifiedBytes()
    {
        var content = RandomNumberGenerator.GetBytes(300_000);
        var digest = _upstream.Add(Repository, content);
        _ = _mirror.Address;
        var temp = _directory.Combine("store", "tmp");
        Directory.Delete(temp);
        await File.WriteAllTextAsync(temp, "a file where the temp directory was: every temp file fails");

        var body = await _client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}");

        Assert.Multiple(() =>
        {
            Assert.That(body, Is.EqualTo(content));
            Assert.That(File.Exists(BlobFile(digest)), Is.False);
            Assert.That(_mirror.Logs.Lines, Has.Some.Contains("[1001]"));
        });
    }

    [Test]
    public async Task Get_DiskFullMidFill_ClientIsStillServedVerifiedBytes()
    {
        var store = _directory.Combine("small");
        Directory.CreateDirectory(store);
        var mount = await EndToEnd.Command.RunAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", store]);
        Assert.That(mount.Succeeded, Is.True, mount.ToString());
        try
        {
            var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
            var digest = _upstream.Add(Repository, content);
            using var mirror = new MirrorFactory(_upstream.Url.ToString(), store);
            using var client = mirror.CreateClient();

            var bodies = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.GetByteArrayAsync($"/v2/{Repository}/blobs/{digest}")));

            Assert.Multiple(() =>
            {
                Assert.That(bodies, Is.All.EqualTo(content));
                Assert.That(File.Exists(Path.Combine(store, "blobs", "sha256", digest.Hex[..2], digest.Hex)), Is.False);
                Assert.That(Directory.GetFiles(Path.Combine(store, "tmp")), Is.Empty, "the abandoned temp file is removed");
                Assert.That(mirror.Logs.Lines, Has.Some.Contains("[1001]"));
            });
        }
        finally
        {
            await EndToEnd.Command.RunAsync("umount", ["-l", store]);
        }
    }

    private string BlobFile(Digest digest) => _directory.Combine("store", "blobs", "sha256", digest.Hex[..2], digest.Hex);
}
