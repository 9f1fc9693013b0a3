using Mirror.Cache.Storage;
using Mirror.Gateway.Hosting;

namespace Mirror.Tests.Architecture;

/// <summary>
/// No folder of either project uses a folder that uses it back, however far round: each project's folders
/// stand in an order (see <c>CacheLayersTests</c> and <c>GatewayLayersTests</c> for the orders themselves).
/// </summary>
[TestFixture]
internal sealed class FolderCyclesTests
{
    [TestCase("Mirror.Cache")]
    [TestCase("Mirror.Gateway")]
    public void Project_Folders_UseEachOtherOneWayOnly(string project)
    {
        var graph = FolderGraph.Of(project == "Mirror.Cache" ? typeof(StoreLayout).Assembly : typeof(MirrorApplication).Assembly, project);

        var cycles = graph.Cycles().Select(cycle => Describe(graph, cycle)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(graph.Folders, Has.Count.GreaterThan(5), "the graph sees the project's folders");
            Assert.That(cycles, Is.Empty, string.Join("\n", cycles));
        });
    }

    [Test]
    public void Cycles_FoldersUsingEachOtherRoundAbout_AreFoundEachOnce()
    {
        var graph = FolderGraph.From("P", ("A", "B"), ("B", "C"), ("C", "A"), ("D", "A"), ("E", "F"), ("F", "E"), ("G", "H"));

        Assert.That(graph.Cycles(), Is.EquivalentTo(new[] { new[] { "A", "B", "C" }, new[] { "E", "F" } }));
    }

    [Test]
    public void Cycles_FoldersInAnOrder_AreNone()
    {
        var graph = FolderGraph.From("P", ("A", "B"), ("B", "C"), ("A", "C"), ("D", "A"));

        Assert.That(graph.Cycles(), Is.Empty);
    }

    /// <summary>The folders of a cycle, and for each use within it, a type that makes it.</summary>
    private static string Describe(FolderGraph graph, IReadOnlyList<string> cycle) =>
        $"{graph.Namespace}: {string.Join(", ", cycle)} use each other: "
        + string.Join("; ", cycle.SelectMany(from => graph.Uses(from).Where(cycle.Contains).Select(to => graph.Evidence(from, to))));
}
