using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirror.Cache.Proofs;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

/// <summary>A single node's proofs: answered from memory, journaled in <c>metadata/proofs.txt</c>, replayed and compacted at start.</summary>
[TestFixture]
internal sealed class ProofJournalTests
{
    private static readonly Digest Layer = Digest.Compute("a layer two registries serve"u8);
    private static readonly Digest Other = Digest.Compute("a layer one registry serves"u8);

    private TestDirectory _directory = null!;
    private StoreLayout _layout = null!;

    private string JournalPath => Path.Combine(_layout.MetadataDirectory, "proofs.txt");

    [SetUp]
    public void SetUp()
    {
        _directory = new TestDirectory();
        _layout = new StoreLayout(Options.Create(new StoreOptions { RootDirectory = _directory.Path }));
    }

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [Test]
    public async Task CheckAsync_ProvenByOneRegistry_IsUnprovenForAnotherAndUnattributedWhenNobodyProvedIt()
    {
        var proofs = Loaded();

        await proofs.ProveAsync(string.Empty, Layer, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await proofs.CheckAsync(string.Empty, Layer, CancellationToken.None), Is.EqualTo(ProofStatus.Proven));
            Assert.That(await proofs.CheckAsync("ghcr.io", Layer, CancellationToken.None), Is.EqualTo(ProofStatus.Unproven));
            Assert.That(await proofs.CheckAsync(string.Empty, Other, CancellationToken.None), Is.EqualTo(ProofStatus.Unattributed));
        });
    }

    [Test]
    public async Task Load_AfterARestart_KnowsEachRegistrysProofs()
    {
        var first = Loaded();
        await first.ProveAsync(string.Empty, Layer, CancellationToken.None);
        await first.ProveAsync("registry.example:5000", Layer, CancellationToken.None);
        await first.ProveAsync("ghcr.io", Other, CancellationToken.None);

        var second = Loaded();

        Assert.Multiple(async () =>
        {
            Assert.That(await second.CheckAsync(string.Empty, Layer, CancellationToken.None), Is.EqualTo(ProofStatus.Proven));
            Assert.That(await second.CheckAsync("registry.example:5000", Layer, CancellationToken.None), Is.EqualTo(ProofStatus.Proven));
            Assert.That(await second.CheckAsync("ghcr.io", Other, CancellationToken.None), Is.EqualTo(ProofStatus.Proven));
            Assert.That(await second.CheckAsync("ghcr.io", Layer, CancellationToken.None), Is.EqualTo(ProofStatus.Unproven));
            Assert.That(await File.ReadAllLinesAsync(JournalPath), Is.EqualTo(new[] { Layer.ToString(), $"{Layer} registry.example:5000", $"{Other} ghcr.io" }));
        });
    }

    [Test]
    public async Task Load_RepeatsAndALineCutShort_AreCompactedAway()
    {
        Directory.CreateDirectory(_layout.MetadataDirectory);
        await File.WriteAllTextAsync(JournalPath, $"{Layer}\n{Layer} ghcr.io\n{Layer}\n{Layer} not a host!\n{Other.ToString()[..20]}");
        var proofs = new ProofJournal(_layout, NullLogger<ProofJournal>.Instance);

        var asked = proofs.CheckAsync("ghcr.io", Layer, CancellationToken.None).AsTask();
        var waited = !asked.IsCompleted;
        var loaded = proofs.Load();

        Assert.Multiple(async () =>
        {
            Assert.That(waited, Is.True, "answered before the journal was read");
            Assert.That(await asked, Is.EqualTo(ProofStatus.Proven));
            Assert.That(loaded, Is.EqualTo(2));
            Assert.That((await File.ReadAllLinesAsync(JournalPath)).Order(), Is.EqualTo(new[] { Layer.ToString(), $"{Layer} ghcr.io" }));
        });
    }

    [Test]
    public async Task ProveAsync_ReadOnlyMetadata_WritesNothing()
    {
        var layout = new StoreLayout(Options.Create(new StoreOptions { RootDirectory = _directory.Path, ReadOnlyMetadata = true }));
        var proofs = new ProofJournal(layout, NullLogger<ProofJournal>.Instance);
        proofs.Load();

        await proofs.ProveAsync(string.Empty, Layer, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await proofs.CheckAsync(string.Empty, Layer, CancellationToken.None), Is.EqualTo(ProofStatus.Proven));
            Assert.That(File.Exists(JournalPath), Is.False);
        });
    }

    private ProofJournal Loaded()
    {
        var proofs = new ProofJournal(_layout, NullLogger<ProofJournal>.Instance);
        proofs.Load();
        return proofs;
    }
}
