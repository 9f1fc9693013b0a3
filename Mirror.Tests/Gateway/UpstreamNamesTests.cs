using Mirror.Cache.Registry;
using Mirror.Gateway.Proxy;
using Mirror.Gateway.Upstream;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>The rules mapping client names to an upstream's, for the mirror's own fetches and forwarded requests alike.</summary>
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

    [TestCase("/v2/busybox/manifests/latest", "/v2/library/busybox/manifests/latest")]
    [TestCase("/v2/busybox/referrers/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "/v2/library/busybox/referrers/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [TestCase("/v2/org/app/referrers/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "/v2/org/app/referrers/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [TestCase("/v2/ghcr.io/org/app/manifests/1.0", "/v2/org/app/manifests/1.0")]
    [TestCase("/v2/harbor.example:8443/library/busybox/manifests/1.0", "/v2/dockerhub-proxy/library/busybox/manifests/1.0")]
    [TestCase("/v2/unknown.example/org/app/manifests/1.0", "/v2/unknown.example/org/app/manifests/1.0")]
    public void Paths_ForwardedRequests_MapTheirRepositoryNameTheSameWay(string client, string upstream) =>
        Assert.That(Transform().ToUpstream(client), Is.EqualTo(upstream));

    [TestCase("/v2/_catalog")]
    [TestCase("/v2/")]
    [TestCase("/V2/busybox/manifests/latest")]
    public void Paths_WithoutARepository_AreLeftAlone(string path) =>
        Assert.That(Transform().ToUpstream(path), Is.Null);

    private static UpstreamPathTransform Transform() => new(Registries.Of(
        new UpstreamOptions { Host = "ghcr.io", RemoteUrl = new Uri("https://ghcr.io") },
        new UpstreamOptions { Host = "harbor.example:8443", RemoteUrl = new Uri("https://harbor.example:8443"), Prefix = "dockerhub-proxy" }));
}
