using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Mirror.Cache.Cluster;
using Mirror.Cache.Proofs;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.Cache;

/// <summary>
/// A cluster's proofs: in the shared records (Redis in a cluster, a memory cache standing in for it here),
/// learnt by every node, and failing closed when the records cannot be asked.
/// </summary>
[TestFixture]
internal sealed class ClusterProofsTests
{
    private static readonly Digest Layer = Digest.Compute("a layer proven on one node"u8);

    [Test]
    public async Task CheckAsync_ProvenOnAnotherNode_IsProvenHereAndRemembered()
    {
        var shared = new CountingCache(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())));
        var proving = new ClusterProofs(shared, TestMetrics.Create());
        var asking = new ClusterProofs(shared, TestMetrics.Create());

        await proving.ProveAsync("ghcr.io", Layer, CancellationToken.None);
        var first = await asking.CheckAsync("ghcr.io", Layer, CancellationToken.None);
        var reads = shared.Reads;
        var second = await asking.CheckAsync("ghcr.io", Layer, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(first, Is.EqualTo(ProofStatus.Proven));
            Assert.That(second, Is.EqualTo(ProofStatus.Proven));
            Assert.That(shared.Reads, Is.EqualTo(reads), "a proof once found is answered from memory");
            Assert.That(await asking.CheckAsync(string.Empty, Layer, CancellationToken.None), Is.EqualTo(ProofStatus.Unproven), "another registry proved it");
            Assert.That(await asking.CheckAsync(string.Empty, Digest.Compute("nobody's"u8), CancellationToken.None), Is.EqualTo(ProofStatus.Unattributed));
        });
    }

    [Test]
    public async Task CheckAsync_SharedRecordsUnavailable_IsUnprovenUnlessKnownHere()
    {
        var shared = new CountingCache(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())));
        var proofs = new ClusterProofs(shared, TestMetrics.Create());
        await proofs.ProveAsync(string.Empty, Layer, CancellationToken.None);
        shared.Down = true;

        Assert.Multiple(async () =>
        {
            Assert.That(await proofs.CheckAsync(string.Empty, Layer, CancellationToken.None), Is.EqualTo(ProofStatus.Proven));
            Assert.That(await proofs.CheckAsync(string.Empty, Digest.Compute("unknown here"u8), CancellationToken.None), Is.EqualTo(ProofStatus.Unproven), "not taken as content from before proofs");
        });
    }

    /// <summary>The shared records, counting reads, and failing as a disconnected Redis does when told to.</summary>
    private sealed class CountingCache(IDistributedCache inner) : IDistributedCache
    {
        public int Reads { get; private set; }

        public bool Down { get; set; }

        public byte[]? Get(string key) => Up().Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default)
        {
            Reads++;
            return Up().GetAsync(key, token);
        }

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Up().Set(key, value, options);

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Up().SetAsync(key, value, options, token);

        public void Refresh(string key) => Up().Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => Up().RefreshAsync(key, token);

        public void Remove(string key) => Up().Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => Up().RemoveAsync(key, token);

        private IDistributedCache Up() => Down ? throw new ClusterUnavailableException("Redis is not connected") : inner;
    }
}
