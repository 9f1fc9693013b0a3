using System.Security.Cryptography;
using Mirror.Cache;
using Mirror.Cache.Blobs;
using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

/// <summary>
/// The blob decisions of <see cref="BlobCache"/> against a scripted upstream: what is served from the store,
/// what is fetched (once, however many ask), and what is refused; each proven by the upstream's own log.
/// </summary>
[TestFixture]
internal sealed class BlobCacheTests
{
    private const string App = "library/app";
    private const string Ghcr = "ghcr.io";

    private static readonly RepositoryKey AppKey = RepositoryKey.Of(RepositoryName.Parse(App));

    private TestDirectory _directory = null!;
    private CacheHost _cache = null!;
    private ScriptedUpstream _upstream = null!;

    [SetUp]
    public async Task SetUp()
    {
        _directory = new TestDirectory();
        _cache = await CacheHost.StartAsync(_directory.Path);
        _upstream = new ScriptedUpstream();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _cache.DisposeAsync();
        _directory.Dispose();
    }

    [Test]
    public async Task Open_Miss_StreamsTheFillAndCommitsTheBlob()
    {
        var content = RandomNumberGenerator.GetBytes(300_000);
        var digest = _upstream.AddBlob(App, content);

        using var miss = await _cache.Blobs.OpenAsync(_upstream, AppKey, digest, CancellationToken.None);
        var (body, failure) = await ReadAsync(miss);
        await FilledAsync();

        Assert.Multiple(() =>
        {
            Assert.That(miss, Is.InstanceOf<FillingBlob>());
            Assert.That(miss.Result, Is.EqualTo(CacheResult.Miss));
            Assert.That(failure, Is.EqualTo(FillFailure.None));
            Assert.That(body, Is.EqualTo(content));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"GET {App}/blobs/{digest}" }));
        });
    }

    [Test]
    public async Task Open_Committed_IsAHitWithoutAskingTheUpstream()
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        var digest = await FillAsync(_upstream, AppKey, content);

        using var hit = await _cache.Blobs.OpenAsync(_upstream, AppKey, digest, CancellationToken.None);
        using var head = await _cache.Blobs.DescribeAsync(_upstream, AppKey, digest, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(hit, Is.InstanceOf<StoredBlob>());
            Assert.That(hit.Result, Is.EqualTo(CacheResult.Hit));
            Assert.That((await ReadAsync(hit)).Body, Is.EqualTo(content));
            Assert.That(head.Result, Is.EqualTo(CacheResult.Hit));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"GET {App}/blobs/{digest}" }), "the fill's GET, and nothing since");
        });
    }

    [Test]
    public async Task Open_ConcurrentMisses_ShareOneFillAndOneUpstreamRequest()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var digest = _upstream.AddBlob(App, content);
        _upstream.Hold();

        using var started = await _cache.Blobs.OpenAsync(_upstream, AppKey, digest, CancellationToken.None);
        using var joined = await _cache.Blobs.OpenAsync(_upstream, AppKey, digest, CancellationToken.None);
        var clients = _cache.Fills.Now().Select(f => f.Clients).ToList();
        _upstream.Release();
        var bodies = await Task.WhenAll(ReadAsync(started), ReadAsync(joined));

        Assert.Multiple(() =>
        {
            Assert.That(started.Result, Is.EqualTo(CacheResult.Miss));
            Assert.That(joined.Result, Is.EqualTo(CacheResult.Coalesced), "joined while the body was still arriving");
            Assert.That(clients, Is.EqualTo(new[] { 2 }), "one fill, two clients");
            Assert.That(bodies.Select(b => b.Body), Is.All.EqualTo(content));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"GET {App}/blobs/{digest}" }));
        });
    }

    [Test]
    public async Task Open_StoredButTheRepositoryIsNotKnownToHoldIt_IsRefusedWhenTheUpstreamSaysSo()
    {
        var digest = await FillAsync(_upstream, AppKey, RandomNumberGenerator.GetBytes(10_000));
        var other = RepositoryKey.Of(RepositoryName.Parse("library/other"));

        using var refused = await _cache.Blobs.OpenAsync(_upstream, other, digest, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(refused, Is.InstanceOf<FailedBlob>());
            Assert.That((refused as FailedBlob)?.Status, Is.EqualTo(SourceStatus.NotFound));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"GET {App}/blobs/{digest}", $"HEAD library/other/blobs/{digest}" }), "asked whether library/other holds it; never fetched there");
        });
    }

    [Test]
    public async Task Open_StoredAndAnotherRepositoryHoldsIt_IsConfirmedOnceThenServedFromTheStore()
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        var digest = await FillAsync(_upstream, AppKey, content);
        _upstream.AddBlob("library/other", content);
        var other = RepositoryKey.Of(RepositoryName.Parse("library/other"));

        using var confirmed = await _cache.Blobs.OpenAsync(_upstream, other, digest, CancellationToken.None);
        using var remembered = await _cache.Blobs.OpenAsync(_upstream, other, digest, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(confirmed.Result, Is.EqualTo(CacheResult.Hit));
            Assert.That(remembered.Result, Is.EqualTo(CacheResult.Hit));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"GET {App}/blobs/{digest}", $"HEAD library/other/blobs/{digest}" }), "one HEAD, remembered");
        });
    }

    [Test]
    public async Task Open_StoredFromAnotherRegistry_IsAMissThereFetchedFromItAndProvenFromThenOn()
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        var digest = await FillAsync(_upstream, AppKey, content);
        var ghcr = new ScriptedUpstream(Ghcr);
        ghcr.AddBlob("owner/app", content);
        var key = new RepositoryKey(Ghcr, RepositoryName.Parse("owner/app"));

        using var miss = await _cache.Blobs.OpenAsync(ghcr, key, digest, CancellationToken.None);
        var body = (await ReadAsync(miss)).Body;
        await FilledAsync();
        using var hit = await _cache.Blobs.OpenAsync(ghcr, key, digest, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(miss.Result, Is.EqualTo(CacheResult.Miss), "stored, but ghcr.io has not served these bytes: no proof, no hit");
            Assert.That(body, Is.EqualTo(content));
            Assert.That(hit.Result, Is.EqualTo(CacheResult.Hit), "served once by ghcr.io, proven there");
            Assert.That(ghcr.Requests, Is.EqualTo(new[] { $"GET owner/app/blobs/{digest}" }));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"GET {App}/blobs/{digest}" }));
        });
    }

    [Test]
    public async Task Open_StoredFromAnotherRegistryThatLacksIt_IsRefused()
    {
        var digest = await FillAsync(_upstream, AppKey, RandomNumberGenerator.GetBytes(10_000));
        var ghcr = new ScriptedUpstream(Ghcr);

        using var refused = await _cache.Blobs.OpenAsync(ghcr, new RepositoryKey(Ghcr, RepositoryName.Parse("owner/app")), digest, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That((refused as FailedBlob)?.Status, Is.EqualTo(SourceStatus.NotFound), "docker.io's copy is never ghcr.io's answer");
            Assert.That(ghcr.Requests, Is.EqualTo(new[] { $"GET owner/app/blobs/{digest}" }));
        });
    }

    [TestCase(SourceStatus.Unavailable)]
    [TestCase(SourceStatus.TooManyRequests)]
    public async Task Open_CommittedWhileTheUpstreamCannotBeAsked_IsServedWithoutAskingIt(SourceStatus status)
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        var digest = await FillAsync(_upstream, AppKey, content);
        _upstream.Failing = status;

        using var hit = await _cache.Blobs.OpenAsync(_upstream, AppKey, digest, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(hit.Result, Is.EqualTo(CacheResult.Hit));
            Assert.That((await ReadAsync(hit)).Body, Is.EqualTo(content));
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"GET {App}/blobs/{digest}" }), "a blob is immutable: nothing to check");
        });
    }

    [TestCase(SourceStatus.Unavailable)]
    [TestCase(SourceStatus.TooManyRequests)]
    public async Task Open_MissWhileTheUpstreamCannotBeAsked_FailsWithItsStatusAndStoresNothing(SourceStatus status)
    {
        var digest = _upstream.AddBlob(App, RandomNumberGenerator.GetBytes(10_000));
        _upstream.Failing = status;

        using var failed = await _cache.Blobs.OpenAsync(_upstream, AppKey, digest, CancellationToken.None);
        await FilledAsync();
        _upstream.Failing = null;
        using var again = await _cache.Blobs.OpenAsync(_upstream, AppKey, digest, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That((failed as FailedBlob)?.Status, Is.EqualTo(status));
            Assert.That(again.Result, Is.EqualTo(CacheResult.Miss), "nothing was kept of the failed fill");
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"GET {App}/blobs/{digest}", $"GET {App}/blobs/{digest}" }));
        });
    }

    [Test]
    public async Task Open_BytesThatDoNotHashToTheDigest_AreCutOffAndNotStored()
    {
        var content = RandomNumberGenerator.GetBytes(50_000);
        var digest = Digest.Compute(content);
        var corrupt = content.ToArray();
        corrupt[25_000] ^= 1;
        _upstream.AddBlob(App, digest, corrupt);

        using var miss = await _cache.Blobs.OpenAsync(_upstream, AppKey, digest, CancellationToken.None);
        var (body, failure) = await ReadAsync(miss);
        await FilledAsync();
        using var again = await _cache.Blobs.OpenAsync(_upstream, AppKey, digest, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(failure, Is.EqualTo(FillFailure.DigestMismatch));
            Assert.That(body, Has.Length.LessThan(content.Length), "the last byte never goes out");
            Assert.That(again, Is.InstanceOf<FillingBlob>(), "not stored: asked again");
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"GET {App}/blobs/{digest}", $"GET {App}/blobs/{digest}" }));
        });
    }

    [Test]
    public async Task Describe_Miss_AsksWithAHeadAndStartsNoFill()
    {
        var content = RandomNumberGenerator.GetBytes(10_000);
        var digest = _upstream.AddBlob(App, content);

        using var described = await _cache.Blobs.DescribeAsync(_upstream, AppKey, digest, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(described.Result, Is.EqualTo(CacheResult.Miss));
            Assert.That((described as DescribedBlob)?.Length, Is.EqualTo(content.Length));
            Assert.That(_cache.Fills.Now(), Is.Empty);
            Assert.That(_upstream.Requests, Is.EqualTo(new[] { $"HEAD {App}/blobs/{digest}" }));
        });
    }

    /// <summary>Reads a lookup's whole body: the stored file, or the fill until it ends or fails (and why).</summary>
    private static async Task<(byte[] Body, FillFailure Failure)> ReadAsync(BlobLookup lookup)
    {
        if (lookup is StoredBlob stored)
        {
            return (await File.ReadAllBytesAsync(stored.Lease.Path), FillFailure.None);
        }

        var filling = (FillingBlob)lookup;
        var end = filling.Length ?? long.MaxValue;
        using var body = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await filling.Reader.ReadAsync(buffer, body.Length, end, CancellationToken.None);
            if (read.Failed || read.Count == 0)
            {
                return (body.ToArray(), read.Failure);
            }

            body.Write(buffer, 0, read.Count);
        }
    }

    /// <summary>Fetches <paramref name="content"/> into the store through <paramref name="key"/>, as a first pull does; its digest.</summary>
    private async Task<Digest> FillAsync(ScriptedUpstream upstream, RepositoryKey key, byte[] content)
    {
        var digest = upstream.AddBlob(key.Name.Value, content);
        using (var miss = await _cache.Blobs.OpenAsync(upstream, key, digest, CancellationToken.None))
        {
            Assert.That((await ReadAsync(miss)).Body, Is.EqualTo(content));
        }

        await FilledAsync();
        return digest;
    }

    /// <summary>Waits for the fills to leave: a fill leaves once its blob is committed, or it failed.</summary>
    private Task FilledAsync() => Eventually.TrueAsync(() => _cache.Fills.Now().Count == 0, "the fill has committed (or failed) and left");
}
