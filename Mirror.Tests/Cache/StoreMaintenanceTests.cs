using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache;
using Mirror.Cache.Maintenance;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

/// <summary>
/// The store as the command line sees it beside a server: one <see cref="TestStore"/> stands for the
/// server's parts, and <see cref="StoreMaintenance"/> is composed as the command line composes it (the
/// cache's services with <see cref="StoreOptions.ReadOnlyMetadata"/>) on the same directory.
/// </summary>
[TestFixture]
internal sealed class StoreMaintenanceTests
{
    private TestDirectory _directory = null!;
    private FakeTimeProvider _time = null!;
    private EvictionOptions _options = null!;
    private TestStore _server = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = new TestDirectory();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        _options = new EvictionOptions { Ttl = TimeSpan.FromHours(168) };
        _server = new TestStore(_directory.Path, _options, _time);
    }

    [TearDown]
    public void TearDown()
    {
        _server.Dispose();
        _directory.Dispose();
    }

    [Test]
    public async Task Verify_AFlippedByteInABlob_RemovesItAndSaysWhatItHashesTo()
    {
        var good = AddBlob(1000);
        var rotten = AddBlob(1000);
        FlipByte(_server.BlobPath(rotten), 500);
        using var services = Tool();
        var maintenance = services.GetRequiredService<StoreMaintenance>();

        var results = new List<VerifiedFile>();
        foreach (var content in maintenance.Contents().ToList())
        {
            results.Add(await maintenance.VerifyAsync(content, null, CancellationToken.None));
        }

        var removed = results.Single(r => r.Content.Digest == rotten);
        Assert.Multiple(() =>
        {
            Assert.That(results, Has.Count.EqualTo(2));
            Assert.That(results.Single(r => r.Content.Digest == good).Outcome, Is.EqualTo(VerifyOutcome.Intact));
            Assert.That(removed.Outcome, Is.EqualTo(VerifyOutcome.Removed));
            Assert.That(removed.Actual, Is.Not.Null.And.Not.EqualTo(rotten));
            Assert.That(File.Exists(_server.BlobPath(rotten)), Is.False);
            Assert.That(File.Exists(_server.BlobPath(good)), Is.True);
            Assert.That(Directory.EnumerateFiles(Path.Combine(_directory.Path, "tmp")), Is.Empty, "nothing left in quarantine");
        });
    }

    [Test]
    public async Task Verify_AManifestEditedByHand_IsRemovedWithItsTypeFile()
    {
        var manifest = await AddManifestAsync(AddBlob(100), AddBlob(200));
        var path = _server.Layout.PathOf(ContentKind.Manifest, manifest);
        await File.AppendAllTextAsync(path, " ");
        using var services = Tool();
        var maintenance = services.GetRequiredService<StoreMaintenance>();

        var result = await maintenance.VerifyAsync(maintenance.Contents().Single(c => c.Kind == ContentKind.Manifest), null, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(VerifyOutcome.Removed));
            Assert.That(File.Exists(path), Is.False);
            Assert.That(File.Exists(StoreLayout.TypePathOf(path)), Is.False);
        });
    }

    [Test]
    public async Task Verify_AFileASweepRemovedMeanwhile_IsVanishedNotCorrupt()
    {
        var blob = AddBlob(100);
        using var services = Tool();
        var maintenance = services.GetRequiredService<StoreMaintenance>();
        var content = maintenance.Contents().Single();
        File.Delete(_server.BlobPath(blob));

        var result = await maintenance.VerifyAsync(content, null, CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(VerifyOutcome.Vanished));
    }

    [Test]
    public async Task Server_ABlobRemovedByAnotherProcess_IsForgottenAndCanBeCommittedAgain()
    {
        var content = RandomNumberGenerator.GetBytes(1000);
        var blob = Commit(content);
        FlipByte(_server.BlobPath(blob), 10);
        using (var services = Tool())
        {
            var maintenance = services.GetRequiredService<StoreMaintenance>();
            Assert.That((await maintenance.VerifyAsync(maintenance.Contents().Single(), null, CancellationToken.None)).Outcome, Is.EqualTo(VerifyOutcome.Removed));
        }

        var lookup = _server.Blobs.TryOpen(blob);
        var forgotten = _server.Index.TryFind(ContentKind.Blob, blob);
        var bytesAfterLookup = _server.Index.Bytes;
        Commit(content);

        Assert.Multiple(() =>
        {
            Assert.That(lookup, Is.Null, "not served from a file that is gone: a fill fetches it again");
            Assert.That(forgotten, Is.Null);
            Assert.That(bytesAfterLookup, Is.Zero);
            Assert.That(_server.Blobs.TryOpen(blob), Is.Not.Null, "the fill's commit puts it back");
            Assert.That(File.ReadAllBytes(_server.BlobPath(blob)), Is.EqualTo(content));
        });
    }

    [Test]
    public void Server_ABlobRemovedWhileBeingServed_IsForgottenOnlyOnceItsReaderIsDone()
    {
        var blob = AddBlob(1000);
        var reading = _server.Blobs.TryOpen(blob)!;
        File.Delete(_server.BlobPath(blob));

        var whileRead = _server.Blobs.TryOpen(blob);
        var keptForItsReader = _server.Index.TryFind(ContentKind.Blob, blob);
        reading.Dispose();
        var afterRead = _server.Blobs.TryOpen(blob);

        Assert.Multiple(() =>
        {
            Assert.That(whileRead, Is.Null);
            Assert.That(keptForItsReader, Is.Not.Null, "its reader's open file still serves it");
            Assert.That(afterRead, Is.Null);
            Assert.That(_server.Index.TryFind(ContentKind.Blob, blob), Is.Null);
            Assert.That(_server.Index.Blobs, Is.Zero);
        });
    }

    [Test]
    public async Task Server_AManifestRemovedByAnotherProcess_IsForgotten()
    {
        var manifest = await AddManifestAsync(AddBlob(100));
        using var restarted = new TestStore(_directory.Path, _options, _time);
        restarted.LoadIndex();
        File.Delete(restarted.Layout.PathOf(ContentKind.Manifest, manifest));

        var found = await restarted.Manifests.TryFindAsync(manifest, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(found, Is.Null);
            Assert.That(restarted.Index.TryFind(ContentKind.Manifest, manifest), Is.Null);
        });
    }

    [Test]
    public async Task Collect_DryRun_ListsExactlyWhatTheSweepThenRemoves_AndRemovesNothing()
    {
        _options.MaxSize = 1000;
        var expired = AddBlob(100);
        _time.Advance(TimeSpan.FromHours(200));
        var blobs = Enumerable.Range(0, 15).Select(_ =>
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            return AddBlob(100);
        }).ToList();
        _server.SaveUseTimes();

        var dry = new List<EvictedContent>();
        var real = new List<EvictedContent>();
        SweepResult dryResult, realResult;
        using (var services = Tool())
        {
            var maintenance = services.GetRequiredService<StoreMaintenance>();
            await maintenance.LoadAsync(CancellationToken.None);
            dryResult = maintenance.Collect(dryRun: true, dry.Add);
        }

        var allThere = blobs.Prepend(expired).All(b => File.Exists(_server.BlobPath(b)));
        using (var services = Tool())
        {
            var maintenance = services.GetRequiredService<StoreMaintenance>();
            await maintenance.LoadAsync(CancellationToken.None);
            realResult = maintenance.Collect(dryRun: false, real.Add);
        }

        Assert.Multiple(() =>
        {
            Assert.That(allThere, Is.True, "a dry run removes nothing");
            Assert.That(dry.Select(d => (d.Digest, d.Reason)), Is.EqualTo(real.Select(r => (r.Digest, r.Reason))));
            Assert.That(dryResult, Is.EqualTo(realResult));
            Assert.That(dry.Where(d => d.Reason == EvictionReason.Expired).Select(d => d.Digest), Is.EqualTo(new[] { expired }));
            Assert.That(dry.Where(d => d.Reason == EvictionReason.OverBudget).Select(d => d.Digest), Is.EqualTo(blobs.Take(6)), "the oldest, down to 90% of the budget, the expired one counted once");
            Assert.That(blobs.Take(6).Prepend(expired).Where(b => File.Exists(_server.BlobPath(b))), Is.Empty);
            Assert.That(blobs.Skip(6).All(b => File.Exists(_server.BlobPath(b))), Is.True);
        });
    }

    [Test]
    public async Task Load_WithReadOnlyMetadata_NeitherCompactsNorRepairsTheServersJournals()
    {
        var blob = AddBlob(100);
        var metadata = _server.Layout.MetadataDirectory;
        var record = JsonSerializer.Serialize(new { Repository = "library/app", Tag = "1", Digest = blob.ToString(), MediaType = MediaTypes.DockerManifest, Length = 100, CheckedAt = _time.GetUtcNow() });
        await File.WriteAllTextAsync(Path.Combine(metadata, "tags.jsonl"), record + "\n" + record + "\n");
        await File.WriteAllTextAsync(Path.Combine(metadata, "links.txt"), $"library/app {blob}\nlibrary/app {blob}\n");
        await File.WriteAllTextAsync(Path.Combine(metadata, "access.txt"), $"b {blob} 1700000000000\nb {blob} 17000");
        var before = Directory.EnumerateFiles(metadata).ToDictionary(f => f, File.ReadAllBytes);

        using (var services = Tool())
        {
            await services.GetRequiredService<StoreMaintenance>().LoadAsync(CancellationToken.None);
        }

        Assert.That(Directory.EnumerateFiles(metadata).ToDictionary(f => f, File.ReadAllBytes), Is.EquivalentTo(before), "a server appending to them may be running");
    }

    [Test]
    public async Task Inventory_NamesEachRepositorysImagesTagsPlatformsAndStoredSize()
    {
        var config = AddBlob(100);
        var layer = AddBlob(1000);
        var amd64 = await AddManifestAsync(config, layer);
        var arm64 = Digest.Compute("an arm64 manifest never pulled"u8);
        var listContent = Manifests.List(MediaTypes.OciIndex, (amd64, MediaTypes.DockerManifest, "amd64"), (arm64, MediaTypes.DockerManifest, "arm64"));
        var list = Digest.Compute(listContent);
        await _server.Manifests.StoreAsync(list, MediaTypes.OciIndex, listContent, CancellationToken.None);
        var app = RepositoryKey.Of(RepositoryName.Parse("library/app"));
        _server.Links.LinkManifest(app, list, () => [amd64, arm64]);
        _server.Links.LinkManifest(app, amd64, () => [config, layer]);
        var other = new RepositoryKey("ghcr.io", RepositoryName.Parse("owner/tool"));
        _server.Links.Link(other, layer);
        var record = JsonSerializer.Serialize(new { Repository = app.Value, Tag = "1.0", Digest = list.ToString(), MediaType = MediaTypes.OciIndex, Length = listContent.Length, CheckedAt = _time.GetUtcNow() });
        await File.WriteAllTextAsync(Path.Combine(_server.Layout.MetadataDirectory, "tags.jsonl"), record + "\n");
        var unclaimed = AddBlob(50);
        _server.SaveUseTimes();

        StoreInventory inventory;
        using (var services = Tool())
        {
            var maintenance = services.GetRequiredService<StoreMaintenance>();
            await maintenance.LoadAsync(CancellationToken.None);
            inventory = maintenance.Inventory();
        }

        var image = inventory.Repositories.Single(r => r.Key == app).Images.Single();
        var manifestLength = new FileInfo(_server.Layout.PathOf(ContentKind.Manifest, amd64)).Length;
        Assert.Multiple(() =>
        {
            Assert.That(inventory.Repositories.Select(r => r.Key.ToString()), Is.EqualTo(new[] { "ghcr.io/owner/tool", "library/app" }.Order()));
            Assert.That(inventory.Repositories.Single(r => r.Key == app).Images.Select(i => i.Digest), Is.EqualTo(new[] { list }), "the platform manifest is part of its list, not an image of its own");
            Assert.That(image.Tags, Is.EqualTo(new[] { "1.0" }));
            Assert.That(image.MediaType, Is.EqualTo(MediaTypes.OciIndex));
            Assert.That(image.Platforms.Select(p => (p.Platform, p.Stored)), Is.EqualTo(new[] { ("linux/amd64", true), ("linux/arm64", false) }));
            Assert.That(image.Size, Is.EqualTo(listContent.Length + manifestLength + 100 + 1000));
            Assert.That(image.LastPull, Is.EqualTo(_time.GetUtcNow()));
            Assert.That(inventory.Repositories.Single(r => r.Key == other).Blobs, Is.EqualTo(1));
            Assert.That(inventory.UnclaimedFiles, Is.EqualTo(1), $"{unclaimed} is held by no repository");
            Assert.That(inventory.UnclaimedBytes, Is.EqualTo(50));
        });
    }

    /// <summary>The command line's composition of the cache on the same store.</summary>
    private ServiceProvider Tool()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddLogging();
        services.AddMetrics();
        services.Configure<StoreOptions>(o => (o.RootDirectory, o.ReadOnlyMetadata) = (_directory.Path, true));
        services.Configure<EvictionOptions>(o => (o.Ttl, o.MaxSize, o.LowWatermark) = (_options.Ttl, _options.MaxSize, _options.LowWatermark));
        services.AddMirrorCache();
        return services.BuildServiceProvider();
    }

    private static void FlipByte(string path, long position)
    {
        using var file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = position;
        var value = file.ReadByte();
        file.Position = position;
        file.WriteByte((byte)(value ^ 0xff));
    }

    private Digest AddBlob(int size) => Commit(RandomNumberGenerator.GetBytes(size));

    private Digest Commit(byte[] content) => _server.CommitBlob(content);

    private async Task<Digest> AddManifestAsync(Digest config, params Digest[] layers)
    {
        var content = Manifests.Image(config, layers);
        var digest = Digest.Compute(content);
        await _server.Manifests.StoreAsync(digest, MediaTypes.DockerManifest, content, CancellationToken.None);
        return digest;
    }
}
