using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirror.Cache.Protocol;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

[TestFixture]
internal sealed class RepositoryLinksTests
{
    private TestDirectory _directory = null!;
    private StoreLayout _layout = null!;

    [SetUp]
    public void SetUp()
    {
        _directory = new TestDirectory();
        _layout = new StoreLayout(Options.Create(new StoreOptions { RootDirectory = _directory.Path }));
    }

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [Test]
    public async Task HoldsAsync_BeforeTheJournalIsLoaded_WaitsForIt()
    {
        var digest = Digest.Compute("a private layer"u8);
        Directory.CreateDirectory(_layout.NodeMetadataDirectory);
        await File.WriteAllTextAsync(Path.Combine(_layout.NodeMetadataDirectory, "links.txt"), $"org/private {digest}\norg/private {digest}\n");
        var links = new LinkJournal(_layout, NullLogger<LinkJournal>.Instance);

        var asked = links.HoldsAsync(RepositoryKey.Of(RepositoryName.Parse("org/private")), digest, CancellationToken.None).AsTask();
        var waited = !asked.IsCompleted;
        var loaded = links.Load();

        Assert.Multiple(async () =>
        {
            Assert.That(waited, Is.True, "answered before the journal was read");
            Assert.That(await asked, Is.True);
            Assert.That(loaded, Is.EqualTo(1));
            Assert.That(await File.ReadAllLinesAsync(Path.Combine(_layout.NodeMetadataDirectory, "links.txt")), Has.Length.EqualTo(1), "rewritten without the repeat");
        });
    }
}
