using System.Net;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.Gateway;

/// <summary>
/// An upstream's error body is read for its code only when it is the OCI error format: any other body, JSON
/// or not, leaves the mirror's own answer for the upstream's status, never a fault of its own.
/// </summary>
[TestFixture]
internal sealed class UpstreamErrorBodyTests : InProcessMirrorTests
{
    private static readonly Digest Missing = Digest.Compute("missing"u8);

    [TestCase("""{"errors":["MANIFEST_UNKNOWN"]}""")]
    [TestCase("""{"errors":[{"code":404,"message":"gone"}]}""")]
    [TestCase("""[{"code":"NAME_UNKNOWN"}]""")]
    [TestCase("<html>not found</html>")]
    public async Task Get_UpstreamErrorBodyNotOciShaped_Is404ManifestUnknown(string body)
    {
        // By digest: the manifest is asked for with a GET, whose error body is read.
        Upstream.Server.Given(Request.Create().WithPath($"/v2/library/odd/manifests/{Missing}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/json").WithBody(body));

        using var response = await Client.GetAsync($"/v2/library/odd/manifests/{Missing}");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("MANIFEST_UNKNOWN"));
            Assert.That(Upstream.Count("GET", $"/v2/library/odd/manifests/{Missing}"), Is.EqualTo(1), "the upstream was asked");
        });
    }
}
