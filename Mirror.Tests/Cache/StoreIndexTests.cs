using System.Security.Cryptography;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Tests.Cache;

/// <summary>The index's table itself: entries in and out of its shards' slots, as commits, the scan and removals make them.</summary>
[TestFixture]
internal sealed class StoreIndexTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void Add_EnoughToGrowEveryShard_RemoveHalf_AddMore_EachFoundOnceWithItsOwnLength()
    {
        // 80,000 entries: more than one 1,024-slot chunk per shard, and several rehashes.
        var index = new StoreIndex();
        var first = Enumerable.Range(0, 80_000).Select(_ => Digest.FromHash("sha256", RandomNumberGenerator.GetBytes(32))).ToList();
        var handles = first.Select((d, i) => index.Add(ContentKind.Blob, d, i, Now, null, used: false)).ToList();
        for (var i = 0; i < first.Count; i += 2)
        {
            Assert.That(index.TryRetire(handles[i]), Is.True);
            index.Remove(handles[i]);
        }

        var second = Enumerable.Range(0, 20_000).Select(_ => Digest.FromHash("sha256", RandomNumberGenerator.GetBytes(32))).ToList();
        second.ForEach(d => index.Add(ContentKind.Blob, d, 7, Now, null, used: false));
        index.Add(ContentKind.Blob, second[0], 7, Now, null, used: false);

        Assert.Multiple(() =>
        {
            Assert.That(index.Blobs, Is.EqualTo(60_000), "an entry added twice counts once");
            Assert.That(index.Bytes, Is.EqualTo(Enumerable.Range(0, 80_000).Where(i => i % 2 == 1).Sum(i => (long)i) + 20_000 * 7));
            Assert.That(Enumerable.Range(0, first.Count).Count(i => index.TryFind(ContentKind.Blob, first[i]) is { } e && e.Length == i), Is.EqualTo(40_000));
            Assert.That(Enumerable.Range(0, first.Count).Where(i => i % 2 == 0).Count(i => index.TryFind(ContentKind.Blob, first[i]) is not null), Is.Zero);
            Assert.That(second.Count(d => index.TryFind(ContentKind.Blob, d)?.Length == 7), Is.EqualTo(20_000));
            Assert.That(index.TryFind(ContentKind.Manifest, second[0]), Is.Null, "a blob is not a manifest of the same digest");
        });
    }

    [Test]
    public void Sha512_IsHeldWholeAndFoundByItsWholeDigest()
    {
        var index = new StoreIndex();
        var digest = Digest.FromHash("sha512", RandomNumberGenerator.GetBytes(64));
        var sameHead = Digest.Parse($"sha512:{digest.Hex[..64]}{new string('0', 64)}");

        var handle = index.Add(ContentKind.Blob, digest, 512, Now, null, used: false);

        Assert.Multiple(() =>
        {
            Assert.That(index.TryFind(ContentKind.Blob, digest)?.Length, Is.EqualTo(512));
            Assert.That(index.TryFind(ContentKind.Blob, sameHead), Is.Null);
            Assert.That(index.TryFind(ContentKind.Blob, Digest.Parse($"sha256:{digest.Hex[..64]}")), Is.Null);
            Assert.That(index.Describe(handle).Digest, Is.EqualTo(digest));
        });
    }

    [Test]
    public void RecordUse_OfAList_IsCarriedToItsManifestsAndTheirLayers_NotToOtherContent()
    {
        var index = new StoreIndex();
        var (layer, other) = (Random("layer"), Random("other"));
        var manifest = Random("manifest");
        var list = Random("list");
        index.Add(ContentKind.Blob, layer, 1, Now, null, used: false);
        index.Add(ContentKind.Blob, other, 1, Now, null, used: false);
        index.Add(ContentKind.Manifest, manifest, 1, Now, [layer], used: false);
        var listHandle = index.Add(ContentKind.Manifest, list, 1, Now, [manifest], used: false);

        index.RecordUse(listHandle, Now.AddHours(5));

        Assert.Multiple(() =>
        {
            Assert.That(index.TryFind(ContentKind.Manifest, manifest)?.LastUse, Is.EqualTo(Now.AddHours(5)));
            Assert.That(index.TryFind(ContentKind.Blob, layer)?.LastUse, Is.EqualTo(Now.AddHours(5)));
            Assert.That(index.TryFind(ContentKind.Blob, other)?.LastUse, Is.EqualTo(Now));
        });
    }

    [Test]
    public void MergeUse_AnEarlierUse_DoesNotMoveTheLastUseBack()
    {
        var index = new StoreIndex();
        var blob = Random("blob");
        var handle = index.Add(ContentKind.Blob, blob, 1, Now, null, used: false);
        index.RecordUse(handle, Now.AddHours(2));

        index.MergeUse(ContentKind.Blob, DigestKey.Of(blob), null, Now.AddHours(1).UtcTicks);

        Assert.That(index.TryFind(ContentKind.Blob, blob)?.LastUse, Is.EqualTo(Now.AddHours(2)));
    }

    private static Digest Random(string _) => Digest.FromHash("sha256", RandomNumberGenerator.GetBytes(32));
}
