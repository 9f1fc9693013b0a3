using Mirror.Cache.Protocol;
using Mirror.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.Gateway;

/// <summary>
/// Every answer of the mirror carries exactly one <c>X-Content-Type-Options: nosniff</c>: served content,
/// errors, forwarded answers (whose upstream may send its own), the pages and the debug address; also when
/// <c>http.headers</c> sets it. Read from the raw header lines, where a second one would show.
/// </summary>
[TestFixture]
internal sealed class NoSniffTests : FakeUpstreamTests
{
    private static readonly string[] Targets =
    [
        "GET /v2/", "GET /v2/org/app/manifests/latest", "HEAD /v2/org/app/manifests/latest", "GET /v2/org/app/manifests/nope",
        $"GET /v2/org/app/blobs/{Digest.Compute("absent"u8)}", "GET /v2/Org/app/manifests/latest", "PUT /v2/org/app/manifests/latest",
        "GET /v2/_catalog", "GET /nothing", "GET /healthz", "GET /metrics", "GET /",
    ];

    [SetUp]
    public void StubUpstream()
    {
        Upstream.AddManifest("org/app", "latest", Manifests.Image(Digest.Compute("c"u8), Digest.Compute("l"u8)), MediaTypes.DockerManifest);
        Upstream.Server.Given(Request.Create().WithPath("/v2/_catalog").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithHeader("X-Content-Type-Options", "nosniff").WithBody("{\"repositories\":[\"org/app\"]}"));
    }

    [Test]
    public async Task EveryAnswer_WithoutHttpHeaders_CarriesNoSniffOnce()
    {
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"));

        await AssertNoSniffOnceAsync(mirror.Address, Targets);
    }

    [Test]
    public async Task EveryAnswer_HttpHeadersSettingIt_CarriesNoSniffOnce_AndTheOtherHeadersOnce()
    {
        var debug = FreePort.Next();
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?>
        {
            ["http:headers:X-Content-Type-Options:0"] = "nosniff",
            ["http:headers:X-Frame-Options:0"] = "DENY",
            ["http:debug:addr"] = $"127.0.0.1:{debug}",
        });

        await AssertNoSniffOnceAsync(mirror.Address, Targets, "X-Frame-Options: DENY");
        await AssertNoSniffOnceAsync(new Uri($"http://127.0.0.1:{debug}"), ["GET /healthz", "GET /readyz", "GET /metrics", "GET /v2/"], "X-Frame-Options: DENY");
    }

    private static async Task AssertNoSniffOnceAsync(Uri server, string[] targets, string? alsoOnce = null)
    {
        var answers = new List<(string Target, int Status, string[] Headers)>();
        foreach (var target in targets)
        {
            var (status, headers) = await RawHttp.HeadersAsync(server, target.Split(' ')[0], target.Split(' ')[1]);
            answers.Add((target, status, headers));
        }

        Assert.Multiple(() =>
        {
            foreach (var (target, status, headers) in answers)
            {
                Assert.That(
                    headers.Where(h => h.StartsWith("X-Content-Type-Options:", StringComparison.OrdinalIgnoreCase)).Select(h => h.Split(':', 2)[1].Trim()),
                    Is.EqualTo(new[] { "nosniff" }),
                    $"{target} ({status})");
                if (alsoOnce is not null)
                {
                    Assert.That(headers.Count(h => h.Equals(alsoOnce, StringComparison.OrdinalIgnoreCase)), Is.EqualTo(1), $"{alsoOnce} on {target} ({status})");
                }
            }
        });
    }
}
