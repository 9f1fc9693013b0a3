using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

[TestFixture]
internal sealed class StoreEvictorTests
{
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
        _store = NewStore();
        _evictor = new StoreEvictor(_store.Index, _store.Blobs, _store.Manifests, _store.Pins, Options.Create(_options), _time, TestMetrics.Create(), NullLogger<StoreEvictor>.Instance);
    }

    [TearDown]
    public void TearDown()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    [Test]
    public void Sweep_ContentNotPulledWithinTheTtl_IsRemoved()
    {
        var old = AddBlob(1000);
        _time.Advance(TimeSpan.FromHours(100));
        var recent = AddBlob(1000);
        _time.Advance(TimeSpan.FromHours(100));

        var result = _evictor.Sweep();

        Assert.Multiple(() =>
        {
            Assert.That(result.Expired, Is.EqualTo(1));
            Assert.That(_store.ContainsBlob(old), Is.False);
            Assert.That(File.Exists(_store.BlobPath(old)), Is.False);
            Assert.That(_store.ContainsBlob(recent), Is.True);
            Assert.That(_store.Index.Bytes, Is.EqualTo(1000));
        });
    }

    [Test]
    public void Sweep_PulledAgain_TheClockRestarts()
    {
        var blob = AddBlob(1000);
        _time.Advance(TimeSpan.FromHours(160));
        Pull(blob);
        _time.Advance(TimeSpan.FromHours(160));

        _evictor.Sweep();

        Assert.That(_store.ContainsBlob(blob), Is.True, "320 hours after the first fetch, but 160 after the last pull");
    }

    [Test]
    public async Task Sweep_BlobOfARecentlyPulledManifest_IsKeptThoughNotPulledItself()
    {
        var layer = AddBlob(1000);
        var config = AddBlob(100);
        _time.Advance(TimeSpan.FromHours(200));
        var manifest = await AddManifestAsync(config, layer);
        var index = await AddIndexAsync(manifest);
        _time.Advance(TimeSpan.FromHours(100));
        await _store.Manifests.TryFindAsync(index, CancellationToken.None);

        var result = _evictor.Sweep();

        Assert.Multiple(() =>
        {
            Assert.That(result.Expired, Is.Zero);
            Assert.That(_store.ContainsBlob(layer), Is.True, "its image's list was pulled within the ttl");
            Assert.That(_store.ContainsBlob(config), Is.True);
        });
    }

    [Test]
    public void Sweep_OverTheBudget_RemovesTheLeastRecentlyPulledDownToTheWatermark()
    {
        _options.MaxSize = 1000;
        var blobs = Enumerable.Range(0, 15).Select(_ =>
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            return AddBlob(100);
        }).ToList();

        var result = _evictor.Sweep();

        Assert.Multiple(() =>
        {
            Assert.That(_store.Index.Bytes, Is.LessThanOrEqualTo(900), "down to 90% of the budget");
            Assert.That(result.Evicted, Is.EqualTo(6));
            Assert.That(blobs.Take(6).Select(_store.ContainsBlob), Is.All.False, "the oldest go first");
            Assert.That(blobs.Skip(6).Select(_store.ContainsBlob), Is.All.True);
        });
    }

    [Test]
    public void Sweep_ContentBeingRead_IsNotRemovedUntilTheReadEnds()
    {
        _options.MaxSize = 150;
        var oldest = AddBlob(100);
        _time.Advance(TimeSpan.FromMinutes(1));
        var newer = AddBlob(100);
        var lease = _store.Blobs.TryOpen(oldest)!;
        _time.Advance(TimeSpan.FromMinutes(1));
        Pull(newer);

        var whileRead = _evictor.Sweep();
        var stillThere = File.Exists(lease.Path);
        lease.Dispose();
        _evictor.Sweep();

        Assert.Multiple(() =>
        {
            Assert.That(whileRead.Busy, Is.EqualTo(1));
            Assert.That(stillThere, Is.True);
            Assert.That(_store.ContainsBlob(newer), Is.False, "with the oldest in use, the next one went");
            Assert.That(_store.ContainsBlob(oldest), Is.True, "and the store is under its budget again, so the released one stays");
        });
    }

    [Test]
    public void Sweep_OverTheBudget_RemovesExactlyTheLeastRecentlyPulled_WhateverTheirOrderInTheStore()
    {
        _options.MaxSize = 15_000;
        var blobs = Enumerable.Range(0, 200).Select(_ => AddBlob(100)).ToList();
        var pulls = blobs.OrderBy(_ => Random.Shared.Next()).ToList();
        foreach (var blob in pulls)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Pull(blob);
        }

        var result = _evictor.Sweep();

        Assert.Multiple(() =>
        {
            Assert.That(result.Evicted, Is.EqualTo(65), "20,000 bytes down to 13,500");
            Assert.That(pulls.Take(65).Where(_store.ContainsBlob), Is.Empty, "the 65 pulled longest ago");
            Assert.That(pulls.Skip(65).Where(b => !_store.ContainsBlob(b)), Is.Empty);
        });
    }

    [Test]
    public void Sweep_ExpiredButBeingRead_IsRemovedByTheFirstSweepAfterTheRead()
    {
        var blob = AddBlob(1000);
        _time.Advance(TimeSpan.FromHours(200));
        var lease = _store.Blobs.TryOpen(blob)!;

        var whileRead = _evictor.Sweep();
        lease.Dispose();
        var after = _evictor.Sweep();

        Assert.Multiple(() =>
        {
            Assert.That(whileRead.Busy, Is.EqualTo(1));
            Assert.That(after.Expired, Is.EqualTo(1));
            Assert.That(_store.ContainsBlob(blob), Is.False);
        });
    }

    [Test]
    public void LastUses_SurviveARestart()
    {
        var blob = AddBlob(1000);
        _time.Advance(TimeSpan.FromHours(150));
        Pull(blob);
        _store.SaveUseTimes();

        using var restarted = NewStore();
        restarted.LoadIndex();
        _time.Advance(TimeSpan.FromHours(100));
        new StoreEvictor(restarted.Index, restarted.Blobs, restarted.Manifests, restarted.Pins, Options.Create(_options), _time, TestMetrics.Create(), NullLogger<StoreEvictor>.Instance).Sweep();

        Assert.Multiple(() =>
        {
            Assert.That(restarted.Index.TryFind(ContentKind.Blob, blob)?.LastUse, Is.EqualTo(_time.GetUtcNow() - TimeSpan.FromHours(100)));
            Assert.That(restarted.ContainsBlob(blob), Is.True, "pulled 100 hours ago, not 250");
        });
    }

    [Test]
    public void MinFreeSpace_BelowIt_NothingNewIsStored()
    {
        _options.MinFreeSpace = long.MaxValue;
        using var store = NewStore();

        Assert.That(store.Blobs.TryCreateWriter(Digest.Compute("x"u8)), Is.Null);
    }

    private TestStore NewStore() => new(_directory.Path, _options, _time);

    /// <summary>A pull of a stored blob, as a served response makes it.</summary>
    private void Pull(Digest blob) => _store.Blobs.Serve(_store.Blobs.TryOpen(blob)!).Dispose();

    private Digest AddBlob(int size) => _store.CommitBlob(RandomNumberGenerator.GetBytes(size));

    private async Task<Digest> AddManifestAsync(Digest config, params Digest[] layers)
    {
        var content = Manifests.Image(config, layers);
        var digest = Digest.Compute(content);
        await _store.Manifests.StoreAsync(digest, MediaTypes.DockerManifest, content, CancellationToken.None);
        return digest;
    }

    private async Task<Digest> AddIndexAsync(Digest manifest)
    {
        var content = Manifests.List(MediaTypes.OciIndex, (manifest, MediaTypes.OciManifest, "amd64"));
        var digest = Digest.Compute(content);
        await _store.Manifests.StoreAsync(digest, MediaTypes.OciIndex, content, CancellationToken.None);
        return digest;
    }
}
