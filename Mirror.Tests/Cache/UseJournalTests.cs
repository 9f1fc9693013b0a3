using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

/// <summary>Last uses saved by change (metadata/access.txt): what a save writes, what a restart reads back, and what a crash can tear.</summary>
[TestFixture]
internal sealed class UseJournalTests
{
    private TestDirectory _directory = null!;
    private FakeTimeProvider _time = null!;
    private EvictionOptions _options = null!;
    private TestStore _store = null!;

    private string JournalPath => Path.Combine(_store.Layout.MetadataDirectory, "access.txt");

    [SetUp]
    public void SetUp()
    {
        _directory = new TestDirectory();
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        _options = new EvictionOptions();
        _store = new TestStore(_directory.Path, _options, _time);
    }

    [TearDown]
    public void TearDown()
    {
        _store.Dispose();
        _directory.Dispose();
    }

    [Test]
    public void Save_NothingUsedSinceTheLastSave_WritesNothing()
    {
        AddBlobs(20);
        _store.SaveUseTimes();
        // A line no save would write: a rewrite would drop it, an append would follow it.
        File.AppendAllText(JournalPath, "# marker\n");
        var written = File.ReadAllBytes(JournalPath);
        _time.Advance(TimeSpan.FromMinutes(10));

        _store.SaveUseTimes();
        _store.SaveUseTimes();

        Assert.That(File.ReadAllBytes(JournalPath), Is.EqualTo(written), "an idle sweep writes no byte");
    }

    [Test]
    public void Save_AppendsALineForEachEntryUsedSinceTheLastSave_AndNoOther()
    {
        var blobs = AddBlobs(20);
        _store.SaveUseTimes();
        var before = File.ReadAllLines(JournalPath);
        _time.Advance(TimeSpan.FromMinutes(10));

        Pull(blobs[3]);
        Pull(blobs[3]);
        Pull(blobs[7]);
        _store.SaveUseTimes();

        var appended = File.ReadAllLines(JournalPath).Skip(before.Length).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(before, Has.Length.EqualTo(20), "each commit is a use");
            Assert.That(appended, Has.Count.EqualTo(2));
            Assert.That(appended.Order(), Is.EqualTo(new[] { Line(blobs[3]), Line(blobs[7]) }.Order()));
        });
    }

    [Test]
    public void Restart_LastUsesAreTheSavedOnes()
    {
        var blobs = AddBlobs(5);
        _time.Advance(TimeSpan.FromHours(3));
        Pull(blobs[1]);
        _store.SaveUseTimes();

        using var restarted = Restart();

        Assert.Multiple(() =>
        {
            Assert.That(restarted.Index.TryFind(ContentKind.Blob, blobs[1])?.LastUse, Is.EqualTo(_time.GetUtcNow()));
            Assert.That(restarted.Index.TryFind(ContentKind.Blob, blobs[0])?.LastUse, Is.EqualTo(_time.GetUtcNow() - TimeSpan.FromHours(3)));
        });
    }

    [Test]
    public void Restart_TornLastLine_IsPassedOverAndCutOff_AndTheNextSaveStartsALineOfItsOwn()
    {
        var blobs = AddBlobs(3);
        _time.Advance(TimeSpan.FromHours(1));
        Pull(blobs[0]);
        _store.SaveUseTimes();
        var whole = new FileInfo(JournalPath).Length;
        // A crash in the middle of the next save's write: half a line, no newline.
        var torn = Line(blobs[1]);
        File.AppendAllText(JournalPath, torn[..(torn.Length / 2)]);

        using var restarted = Restart();
        _time.Advance(TimeSpan.FromHours(1));
        restarted.Blobs.Serve(restarted.Blobs.TryOpen(blobs[2])!).Dispose();
        restarted.SaveUseTimes();
        using var again = Restart();

        Assert.Multiple(() =>
        {
            Assert.That(restarted.Index.TryFind(ContentKind.Blob, blobs[0])?.LastUse, Is.EqualTo(_time.GetUtcNow() - TimeSpan.FromHours(1)), "the complete line before the tear");
            Assert.That(restarted.Index.TryFind(ContentKind.Blob, blobs[1])?.LastUse, Is.EqualTo(_time.GetUtcNow() - TimeSpan.FromHours(2)), "the torn line counts for nothing");
            Assert.That(File.ReadAllLines(JournalPath), Is.All.Match(@"^b sha256:[0-9a-f]{64} [0-9]+$"));
            Assert.That(new FileInfo(JournalPath).Length, Is.EqualTo(whole + Line(blobs[2]).Length + 1));
            Assert.That(again.Index.TryFind(ContentKind.Blob, blobs[2])?.LastUse, Is.EqualTo(_time.GetUtcNow()), "the save after the tear");
        });
    }

    [Test]
    public void Restart_GarbageLine_OnlyThatLineIsLost()
    {
        var blobs = AddBlobs(2);
        _store.SaveUseTimes();
        _time.Advance(TimeSpan.FromHours(1));
        File.AppendAllText(JournalPath, "\0\0\0\0\0\0\0\0\n" + Line(blobs[1]) + "\n");

        using var restarted = Restart();

        Assert.That(restarted.Index.TryFind(ContentKind.Blob, blobs[1])?.LastUse, Is.EqualTo(_time.GetUtcNow()));
    }

    [Test]
    public void Save_JournalPastTwiceTheStore_IsRewrittenWithOneLinePerEntry()
    {
        _store.Dispose();
        _store = new TestStore(_directory.Path, _options, _time, rewriteAfter: 8);
        var blobs = AddBlobs(4);
        _store.SaveUseTimes();
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            blobs.ForEach(Pull);
            _store.SaveUseTimes();
        }

        using var restarted = Restart();

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllLines(JournalPath), Has.Length.LessThanOrEqualTo(8), "4 lines, and at most one more save's before the next rewrite");
            Assert.That(blobs.Select(b => restarted.Index.TryFind(ContentKind.Blob, b)?.LastUse), Is.All.EqualTo(_time.GetUtcNow()));
        });
    }

    [Test]
    public void Restart_TimesSavedByAnEarlierVersion_AreReadOnceAndReplacedByTheJournal()
    {
        var blobs = AddBlobs(2);
        var legacy = Path.Combine(_store.Layout.MetadataDirectory, "access.json");
        var pulled = _time.GetUtcNow() + TimeSpan.FromHours(5);
        File.WriteAllText(legacy, $$"""{"blob:{{blobs[0]}}":{{pulled.ToUnixTimeMilliseconds()}}}""");
        File.Delete(JournalPath);

        using var restarted = Restart();
        restarted.SaveUseTimes();
        using var again = Restart();

        Assert.Multiple(() =>
        {
            Assert.That(restarted.Index.TryFind(ContentKind.Blob, blobs[0])?.LastUse, Is.EqualTo(pulled));
            Assert.That(File.Exists(legacy), Is.False);
            Assert.That(again.Index.TryFind(ContentKind.Blob, blobs[0])?.LastUse, Is.EqualTo(pulled));
        });
    }

    private TestStore Restart()
    {
        var restarted = new TestStore(_directory.Path, _options, _time);
        restarted.LoadIndex();
        return restarted;
    }

    private string Line(Digest blob) => $"b {blob} {_time.GetUtcNow().ToUnixTimeMilliseconds()}";

    private void Pull(Digest blob) => _store.Blobs.Serve(_store.Blobs.TryOpen(blob)!).Dispose();

    private List<Digest> AddBlobs(int count) => Enumerable.Range(0, count).Select(_ => AddBlob(100)).ToList();

    private Digest AddBlob(int size) => _store.CommitBlob(RandomNumberGenerator.GetBytes(size));
}
