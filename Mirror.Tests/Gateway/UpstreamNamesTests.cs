using Microsoft.Extensions.Options;
using Mirror.Cache.Registry;
using Mirror.Gateway.Upstream;

namespace Mirror.Tests.Gateway;

/// <summary>The one rule mapping client names to the upstream's, for the mirror's own fetches and forwarded requests alike.</summary>
[TestFixture]
internal sealed class UpstreamNamesTests
{
    private static readonly UpstreamNames DockerHub = new(Options.Create(new UpstreamOptions { RemoteUrl = new Uri("https://registry-1.docker.io") }));
    private static readonly UpstreamNames Other = new(Options.Create(new UpstreamOptions { RemoteUrl = new Uri("https://registry.example:5000") }));

    [TestCase("busybox", "library/busybox")]
    [TestCase("library/busybox", "library/busybox")]
    [TestCase("org/app", "org/app")]
    public void Names_DockerHubOfficialImages_GetLibrary(string client, string upstream) =>
        Assert.That(DockerHub.ToUpstream(RepositoryName.Parse(client)).Value, Is.EqualTo(upstream));

    [TestCase("/v2/busybox/manifests/latest", "/v2/library/busybox/manifests/latest")]
    [TestCase("/v2/busybox/referrers/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "/v2/library/busybox/referrers/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [TestCase("/v2/org/app/referrers/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "/v2/org/app/referrers/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [TestCase("/v2/_catalog", "/v2/_catalog")]
    [TestCase("/v2/", "/v2/")]
    [TestCase("/V2/busybox/manifests/latest", "/V2/busybox/manifests/latest")]
    public void Paths_ForwardedRequests_MapTheirRepositoryNameTheSameWay(string client, string upstream) =>
        Assert.That(DockerHub.ToUpstream(client), Is.EqualTo(upstream));

    [Test]
    public void Names_AnotherRegistry_AreLeftAsTheyAre() =>
        Assert.That(Other.ToUpstream("/v2/busybox/manifests/latest"), Is.EqualTo("/v2/busybox/manifests/latest"));
}
