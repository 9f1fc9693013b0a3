using Mirror.Cache.Protocol;
using Mirror.Gateway.Upstream;

namespace Mirror.Tests.Gateway;

/// <summary>The rules mapping client names to an upstream's, for the mirror's own fetches, and back for the catalog.</summary>
[TestFixture]
internal sealed class UpstreamNamesTests
{
    private static readonly UpstreamNames DockerHub = new(new UpstreamOptions { RemoteUrl = new Uri("https://registry-1.docker.io") });
    private static readonly UpstreamNames Other = new(new UpstreamOptions { RemoteUrl = new Uri("https://registry.example:5000") });
    private static readonly UpstreamNames Harbor = new(new UpstreamOptions { RemoteUrl = new Uri("https://harbor.example"), Prefix = "dockerhub-proxy" });

    [TestCase("busybox", "library/busybox")]
    [TestCase("library/busybox", "library/busybox")]
    [TestCase("org/app", "org/app")]
    public void Names_DockerHubOfficialImages_GetLibrary(string client, string upstream) =>
        Assert.That(DockerHub.ToUpstream(RepositoryName.Parse(client)).Value, Is.EqualTo(upstream));

    [Test]
    public void Names_AnotherRegistry_AreLeftAsTheyAre() =>
        Assert.That(Other.ToUpstream(RepositoryName.Parse("busybox")).Value, Is.EqualTo("busybox"));

    [Test]
    public void Names_WithAPrefix_GoUnderIt() =>
        Assert.That(Harbor.ToUpstream(RepositoryName.Parse("library/busybox")).Value, Is.EqualTo("dockerhub-proxy/library/busybox"));

    [TestCase("library/busybox", "library/busybox")]
    [TestCase("org/app", "org/app")]
    public void ToClient_DockerHubNames_AreTheUpstreamsWithLibraryKept(string upstream, string client) =>
        Assert.That(DockerHub.ToClient(RepositoryName.Parse(upstream))?.Value, Is.EqualTo(client));

    [Test]
    public void ToClient_WithAPrefix_TakesItOff() =>
        Assert.That(Harbor.ToClient(RepositoryName.Parse("dockerhub-proxy/library/busybox"))?.Value, Is.EqualTo("library/busybox"));

    [TestCase("library/busybox")]
    [TestCase("dockerhub-proxy")]
    [TestCase("dockerhub-proxyx/busybox")]
    public void ToClient_OutsideThePrefix_IsNoName(string upstream) =>
        Assert.That(Harbor.ToClient(RepositoryName.Parse(upstream)), Is.Null);
}
