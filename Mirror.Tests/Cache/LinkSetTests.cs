using System.Security.Cryptography;
using Mirror.Cache.Protocol;
using Mirror.Cache.Repositories;

namespace Mirror.Tests.Cache;

[TestFixture]
internal sealed class LinkSetTests
{
    [Test]
    public void TryAdd_ManyRepositoriesAndDigests_EachLinkIsKnownUnderItsOwnRepositoryOnly()
    {
        var links = new LinkSet();
        var added = Enumerable.Range(0, 500).Select(i => ($"org/app{i % 100}", Digest.Compute(BitConverter.GetBytes(i)))).ToList();

        var first = added.Select(link => links.TryAdd(link.Item1, link.Item2, expanded: false)).ToList();
        var again = added.Select(link => links.TryAdd(link.Item1, link.Item2, expanded: false)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.All.True);
            Assert.That(again, Is.All.False);
            Assert.That(links.Count, Is.EqualTo(500));
            Assert.That(added.All(link => links.Contains(link.Item1, link.Item2)), Is.True);
            Assert.That(links.Contains("org/app1", added[0].Item2), Is.False, "linked to org/app0 only");
            Assert.That(links.Contains("org/unknown", added[0].Item2), Is.False);
            Assert.That(links.All, Is.EquivalentTo(added));
        });
    }

    [Test]
    public void Sha512Digests_AreKeptWhole()
    {
        var links = new LinkSet();
        var hex = Convert.ToHexStringLower(SHA512.HashData("a sha512 layer"u8));
        var digest = Digest.TryParse("sha512:" + hex)!;
        var sameHalf = Digest.TryParse("sha512:" + hex[..64] + new string('0', 64))!;

        links.TryAdd("org/app", digest, expanded: false);

        Assert.Multiple(() =>
        {
            Assert.That(links.Contains("org/app", digest), Is.True);
            Assert.That(links.Contains("org/app", sameHalf), Is.False, "a digest that shares only its first half");
            Assert.That(links.All.Single(), Is.EqualTo(("org/app", digest)));
        });
    }

    [Test]
    public void Expanded_IsTheManifestsFlag_SetOnceAndKept()
    {
        var links = new LinkSet();
        var manifest = Digest.Compute("a manifest"u8);
        links.TryAdd("org/app", manifest, expanded: false);
        var before = links.IsExpanded("org/app", manifest);

        links.SetExpanded("org/app", manifest);
        links.TryAdd("org/app", manifest, expanded: false);

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.False);
            Assert.That(links.IsExpanded("org/app", manifest), Is.True);
            Assert.That(links.IsExpanded("org/other", manifest), Is.False);
            Assert.That(links.Count, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task All_WhileNewRepositoriesAreAdded_ListsEveryLinkItWalksPast()
    {
        var links = new LinkSet();
        var digest = Digest.Compute("a layer in many repositories"u8);
        var adder = Task.Run(() =>
        {
            for (var i = 0; i < 5000; i++)
            {
                links.TryAdd($"org/app{i}", digest, expanded: false);
            }
        });

        var walks = 0;
        while (!adder.IsCompleted || walks == 0)
        {
            Assert.That(links.All.All(link => link.Repository.StartsWith("org/app", StringComparison.Ordinal) && link.Digest == digest), Is.True);
            walks++;
        }

        await adder;
        Assert.That(links.All.Select(link => link.Repository).Distinct().Count(), Is.EqualTo(5000));
    }
}
