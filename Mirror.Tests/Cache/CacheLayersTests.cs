using Mirror.Cache.Storage;
using NetArchTest.Rules;

namespace Mirror.Tests.Cache;

/// <summary>
/// The cache's folders depend one way: the vocabulary (<c>Protocol</c>, <c>Diagnostics</c>' metrics, which know
/// nothing else of the cache, <c>Concurrency</c>'s single flight and leases, and <c>Upstream</c>'s answers) at
/// the bottom, the bucket (object storage) above it, the store above that, the caching policy above the store, the cluster's Redis
/// adapters above the policy, and the composition (the root namespace) on top. A cluster is chosen in the
/// composition, so nothing below the adapters knows Redis, and the store knows a cluster only as a node's
/// name and a sweeper's lease of its own.
/// </summary>
[TestFixture]
internal sealed class CacheLayersTests
{
    private const string Cache = "Mirror.Cache.";
    private static readonly string[] Composition = [Cache + "CacheStartup", Cache + "CacheLog", Cache + "CacheServiceCollectionExtensions"];
    private static readonly string[] Policy = ["Blobs", "Manifests", "Tags", "Repositories", "Proofs", "Maintenance", "Quota", "Signatures", "Referrers", "Policy", "Pins", "Watch"];

    [TestCase("Protocol")]
    [TestCase("Diagnostics")]
    [TestCase("Concurrency")]
    [TestCase("Upstream")]
    [TestCase("Buckets")]
    [TestCase("Storage")]
    [TestCase("Blobs")]
    [TestCase("Manifests")]
    [TestCase("Tags")]
    [TestCase("Repositories")]
    [TestCase("Proofs")]
    [TestCase("Maintenance")]
    [TestCase("Quota")]
    [TestCase("Signatures")]
    [TestCase("Pins")]
    [TestCase("Watch")]
    [TestCase("Cluster")]
    public void Folder_DependsOnNothingAboveIt(string folder)
    {
        var result = Types.InAssembly(typeof(StoreLayout).Assembly)
            .That().ResideInNamespace(Cache + folder)
            .ShouldNot().HaveDependencyOnAny(Above(folder))
            .GetResult();

        Assert.That(result.FailingTypeNames ?? [], Is.Empty, $"{folder} uses what is above it ({string.Join(", ", Above(folder))})");
    }

    /// <summary>What <paramref name="folder"/> must not use: every layer above its own.</summary>
    private static string[] Above(string folder)
    {
        var cluster = new[] { Cache + "Cluster", "StackExchange.Redis" };
        var policy = Policy.Select(p => Cache + p);
        return folder switch
        {
            "Protocol" => [Cache + "Diagnostics", Cache + "Concurrency", Cache + "Upstream", Cache + "Buckets", Cache + "Storage", .. policy, .. cluster, .. Composition],
            "Diagnostics" => [Cache + "Protocol", Cache + "Concurrency", Cache + "Upstream", Cache + "Buckets", Cache + "Storage", .. policy, .. cluster, .. Composition],
            "Concurrency" => [Cache + "Upstream", Cache + "Buckets", Cache + "Storage", .. policy, .. cluster, .. Composition],
            "Upstream" => [Cache + "Diagnostics", Cache + "Concurrency", Cache + "Buckets", Cache + "Storage", .. policy, .. cluster, .. Composition],
            "Buckets" => [Cache + "Storage", .. policy, .. cluster, .. Composition],
            "Storage" => [Cache + "Concurrency", Cache + "Upstream", .. policy, .. cluster, .. Composition],
            "Cluster" => Composition,
            _ => [.. cluster, .. Composition],
        };
    }
}
