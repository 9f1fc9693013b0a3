using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Pins;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Cache.Watch;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

/// <summary>Pins in the evictor: <c>mirror.pin</c>'s repositories and watched tags (and their rollbacks) survive expiry and the size budget.</summary>
[TestFixture]
internal sealed class StorePinsTests
{
    private static readonly RepositoryKey Pinned = RepositoryKey.Of(RepositoryName.Parse("library/keep"));
    private static readonly RepositoryKey Watched = RepositoryKey.Of(RepositoryName.Parse("library/watched"));

    private TestDirectory _directory = null!;
    private FakeTimeProvider _time = null!;
    private EvictionOptions _options = null!;
    private TestStore _store = null!;
    private StoreEvictor _evictor = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = new TestDirectory();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        _options = new EvictionOptions { Ttl = TimeSpan.FromHours(168) };
        _store = new TestStore(
            _directory.Path,
            _options,
            _time,
            pins: new PinOptions { Patterns = ["library/keep"] },
            watch: new WatchOptions { Images = [new WatchedImage(Watched, "1", TimeSpan.FromMinutes(10))] });
        _evictor = new StoreEvictor(_store.Index, _store.Blobs, _store.Manifests, _store.Pins, Options.Create(_options), _time, TestMetrics.Create(), NullLogger<StoreEvictor>.Instance);
    }

    [TearDown]
    public void TearDown()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    [Test]
    public async Task Sweep_PinnedRepositoryPastTheTtl_IsKept_OtherContentExpires()
    {
        var (pinnedManifest, pinnedLayer) = await AddImageAsync(Pinned, 1000);
        var other = _store.CommitBlob(RandomNumberGenerator.GetBytes(1000));
        _time.Advance(TimeSpan.FromHours(200));
        await _store.Pins.RefreshAsync(CancellationToken.None);

        var result = _evictor.Sweep();

        Assert.Multiple(() =>
        {
            Assert.That(_store.ContainsBlob(other), Is.False, "unpinned, and unused past proxy.ttl");
            Assert.That(_store.Manifests.Contains(pinnedManifest), Is.True);
            Assert.That(_store.ContainsBlob(pinnedLayer), Is.True, "a blob of a pinned repository's image");
            Assert.That(result.Expired, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Sweep_WatchedTagAndTheImageBeforeItsMove_SurviveABudgetThatRemovesEverythingElse()
    {
        var (before, beforeLayer) = await AddImageAsync(null, 1000);
        _store.Tags.Remember(Watched, "1", before, MediaTypes.DockerManifest, 100);
        _time.Advance(TimeSpan.FromMinutes(1));
        var (now, nowLayer) = await AddImageAsync(null, 1000);
        _store.Tags.Remember(Watched, "1", now, MediaTypes.DockerManifest, 100);
        _time.Advance(TimeSpan.FromMinutes(1));
        var others = Enumerable.Range(0, 5).Select(_ => _store.CommitBlob(RandomNumberGenerator.GetBytes(1000))).ToList();
        _options.MaxSize = 3000;
        await _store.Pins.RefreshAsync(CancellationToken.None);

        _evictor.Sweep();

        Assert.Multiple(() =>
        {
            Assert.That(others.Select(_store.ContainsBlob), Is.All.False, "the budget could only remove these, newer as they are");
            Assert.That(new[] { beforeLayer, nowLayer }.Select(_store.ContainsBlob), Is.All.True, "the watched image and its rollback");
            Assert.That(_store.Manifests.Contains(before) && _store.Manifests.Contains(now), Is.True);
            Assert.That(_store.Tags.Find(Watched.Value, "1")!.Previous, Is.EqualTo(before.ToString()));
        });
    }

    [Test]
    public async Task Refresh_PinsAloneOverTheBudget_NewContentIsNotStored_AndNoPinIsEvicted()
    {
        var (manifest, layer) = await AddImageAsync(Pinned, 5000);
        _options.MaxSize = 2000;
        await _store.Pins.RefreshAsync(CancellationToken.None);

        _evictor.Sweep();

        Assert.Multiple(() =>
        {
            Assert.That(_store.Pins.Bytes, Is.GreaterThan(5000));
            Assert.That(_store.Pins.CrowdedOut, Is.True);
            Assert.That(_store.Blobs.TryCreateWriter(Digest.Compute("new"u8)), Is.Null, "new content is served without being stored");
            Assert.That(_store.ContainsBlob(layer) && _store.Manifests.Contains(manifest), Is.True, "the pins win");
        });
    }

    /// <summary>An image of one layer of <paramref name="size"/> bytes, linked to <paramref name="repository"/> as serving it links it.</summary>
    private async Task<(Digest Manifest, Digest Layer)> AddImageAsync(RepositoryKey? repository, int size)
    {
        var layer = _store.CommitBlob(RandomNumberGenerator.GetBytes(size));
        var config = _store.CommitBlob(RandomNumberGenerator.GetBytes(10));
        var content = Manifests.Image(config, layer);
        var digest = Digest.Compute(content);
        await _store.Manifests.StoreAsync(digest, MediaTypes.DockerManifest, content, CancellationToken.None);
        if (repository is not null)
        {
            _store.Links.LinkManifest(repository, digest, () => ManifestReferences.HeldWith(content));
        }

        return (digest, layer);
    }
}
