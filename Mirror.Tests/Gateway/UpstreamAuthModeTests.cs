using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Mirror.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.Gateway;

/// <summary><c>auth.upstream</c> against an upstream that asks for nothing at <c>/v2/</c> but protects a repository (as Nexus can).</summary>
[TestFixture]
internal sealed class UpstreamAuthModeTests : FakeUpstreamTests
{
    private const string Basic = "Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=";

    [Test]
    public async Task OpenPingProtectedRepository_AnonymousGetsNoGrant_TheUserWhomTheRepositoryServesDoes()
    {
        Upstream.Server.Given(Request.Create().WithPath("/v2/").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("{}"));
        Upstream.Server.Given(Request.Create().WithPath("/v2/org/private/tags/list").UsingGet().WithHeader("Authorization", Basic)).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"name\":\"org/private\",\"tags\":[\"v1\"]}"));
        Upstream.Server.Given(Request.Create().WithPath("/v2/org/private/tags/list").UsingGet()).AtPriority(2)
            .RespondWith(Response.Create().WithStatusCode(401).WithHeader("WWW-Authenticate", "Basic realm=\"nexus\""));
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?> { ["auth:upstream:ttl"] = "1m" });
        using var client = new HttpClient { BaseAddress = mirror.Address };

        var anonymous = await GrantedAsync(client, null);
        var alice = await GrantedAsync(client, Basic);

        Assert.Multiple(() =>
        {
            Assert.That(anonymous, Is.Empty, "an open /v2/ does not make every repository open");
            Assert.That(alice, Is.EqualTo(new[] { "org/private" }));
        });
    }

    [Test]
    public async Task AnotherRegistry_IsAskedAnonymously_AndAHostWithAPortIsAScopeToo()
    {
        using var other = new FakeRegistry();
        Upstream.Server.Given(Request.Create().WithPath("/v2/").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("{}"));
        Upstream.Server.Given(Request.Create().WithPath("/v2/org/private/tags/list").UsingGet().WithHeader("Authorization", Basic)).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"name\":\"org/private\",\"tags\":[\"v1\"]}"));
        other.Server.Given(Request.Create().WithPath("/v2/").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("{}"));
        other.Server.Given(Request.Create().WithPath("/v2/org/public/tags/list").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("{\"name\":\"org/public\",\"tags\":[\"v1\"]}"));
        other.Server.Given(Request.Create().WithPath("/v2/org/private/tags/list").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(401).WithHeader("WWW-Authenticate", "Basic realm=\"other\""));
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?>
        {
            ["auth:upstream:ttl"] = "1m",
            ["mirror:upstreams:registry.example%3A5000:remoteurl"] = other.Url,
        });
        using var client = new HttpClient { BaseAddress = mirror.Address };

        var granted = await GrantedAsync(client, Basic, "org/private", "registry.example:5000/org/public", "registry.example:5000/org/private");

        Assert.Multiple(() =>
        {
            Assert.That(granted, Is.EqualTo(new[] { "org/private", "registry.example:5000/org/public" }));
            Assert.That(other.Log.Where(e => e.RequestMessage.Headers!.ContainsKey("Authorization")), Is.Empty, "docker.io's login goes to docker.io only");
        });
    }

    [Test]
    public async Task TokenAnswer_IssuedAt_IsWrittenUnescaped_AsDockersGoClientReadsIt()
    {
        Upstream.Server.Given(Request.Create().WithPath("/v2/").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody("{}"));
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), new Dictionary<string, string?> { ["auth:upstream:ttl"] = "1m" });
        using var client = new HttpClient { BaseAddress = mirror.Address };

        var body = await client.GetStringAsync("/auth/token?service=mirror&scope=repository:org/app:pull");

        // Go's time.Time.UnmarshalJSON parses the literal's raw bytes: "\u002B00:00" is no RFC 3339 offset to it.
        Assert.That(body, Does.Match("\"issued_at\":\"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|\\+00:00)\""));
    }

    /// <summary>The repositories a token from the mirror's token service grants pull on.</summary>
    private static async Task<string[]> GrantedAsync(HttpClient client, string? authorization, params string[] repositories)
    {
        var scopes = string.Join('&', (repositories.Length == 0 ? ["org/private"] : repositories).Select(r => $"scope=repository:{r}:pull"));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/auth/token?service=mirror&{scopes}");
        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        using var response = await client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var token = new JsonWebToken(json.RootElement.GetProperty("token").GetString());
        using var payload = JsonDocument.Parse(Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(token.EncodedPayload)));
        return payload.RootElement.GetProperty("access").EnumerateArray().Select(a => a.GetProperty("name").GetString()!).ToArray();
    }
}
