using Mirror.Cache.Storage;
using Mirror.Gateway.Hosting;
using Mirror.Tests.Architecture;
using NetArchTest.Rules;

namespace Mirror.Tests.Gateway;

/// <summary>
/// The gateway's folders in layers, each using only layers below its own (none of its own layer): the
/// vocabulary (<c>Configuration</c>'s reader and keys, <c>Registry</c>'s paths and OCI answers) at the bottom;
/// the request's diagnostics, TLS and the front proxy; the upstream pipeline and the listeners; the features
/// that compose from them (the cluster, the cache's settings, authentication); the HTTP features (each
/// endpoint, authorization, health, status); the registry API's dispatch and the command line; and the
/// composition (<c>Hosting</c>) on top. The cache (Mirror.Cache) knows none of it.
/// </summary>
[TestFixture]
internal sealed class GatewayLayersTests
{
    private const string Gateway = "Mirror.Gateway.";

    private static readonly string[][] Layers =
    [
        ["Configuration", "Registry"],
        ["Diagnostics", "Tls", "FrontProxy"],
        ["Upstream", "Listening"],
        ["Cluster", "Caching", "Authentication", "Policy", "Watch"],
        ["Authorization", "Blobs", "Manifests", "Tags", "Referrers", "Catalog", "Forwarder", "Health", "Status"],
        ["Api", "Cli"],
        ["Hosting"],
    ];

    private static IEnumerable<string> Folders => Layers.SelectMany(layer => layer);

    [TestCaseSource(nameof(Folders))]
    public void Folder_UsesOnlyTheLayersBelowIt(string folder)
    {
        var notBelow = NotBelow(folder).Select(f => Gateway + f).ToArray();

        var result = Types.InAssembly(typeof(MirrorApplication).Assembly)
            .That().ResideInNamespace(Gateway + folder)
            .ShouldNot().HaveDependencyOnAny(notBelow)
            .GetResult();

        Assert.That(result.FailingTypeNames ?? [], Is.Empty, $"{folder} uses its own layer or one above it ({string.Join(", ", NotBelow(folder))})");
    }

    [Test]
    public void Layers_NameEveryFolderOnce()
    {
        var folders = FolderGraph.Of(typeof(MirrorApplication).Assembly, "Mirror.Gateway").Folders;

        Assert.Multiple(() =>
        {
            Assert.That(Folders, Is.Unique);
            Assert.That(Folders, Is.EquivalentTo(folders), "a new folder takes its place in a layer");
        });
    }

    [Test]
    public void Cache_UsesNeitherAspNetCoreNorTheGateway()
    {
        var result = Types.InAssembly(typeof(StoreLayout).Assembly)
            .ShouldNot().HaveDependencyOnAny("Microsoft.AspNetCore", "Mirror.Gateway")
            .GetResult();

        Assert.That(result.FailingTypeNames ?? [], Is.Empty, "Mirror.Cache has no ASP.NET Core dependency and knows nothing above it");
    }

    /// <summary>The folders <paramref name="folder"/> must not use: the others of its layer, and every layer above.</summary>
    private static IEnumerable<string> NotBelow(string folder)
    {
        var layer = Array.FindIndex(Layers, l => l.Contains(folder));
        return Layers.Skip(layer).SelectMany(l => l).Where(f => f != folder);
    }
}
