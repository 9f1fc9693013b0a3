using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Mirror.Tests.Gateway;

[TestFixture]
internal sealed class UpstreamAuthTests : FakeUpstreamTests
{
    private const string User = "mirror-user";
    private const string Password = "s3cret-pa55word";
    private const string Token = "the-upstream-token";

    private static readonly byte[] Content = Manifests.Image(Digest.Compute("c"u8), Digest.Compute("l"u8));
    private static readonly string Basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));


    [Test]
    public async Task Get_BearerChallenge_FetchesTokenForTheRepositoryAndRetries()
    {
        ServeTokens(anonymous: true);
        Upstream.RequireBearer($"{Upstream.Url}/token", Token);
        Upstream.AddManifest("library/busybox", "latest", Content, MediaTypes.DockerManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync("/v2/library/busybox/manifests/latest");

        var tokenRequest = Upstream.Log.Single(e => e.RequestMessage.Path == "/token").RequestMessage;
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(Content));
            Assert.That(tokenRequest.Query!["scope"].Single(), Is.EqualTo("repository:library/busybox:pull"));
            Assert.That(tokenRequest.Query!["service"].Single(), Is.EqualTo("registry.test"));
            Assert.That(tokenRequest.Headers!.ContainsKey("Authorization"), Is.False, "no credentials are configured");
        });
    }

    [Test]
    public async Task Get_SecondRequestSameRepository_ReusesTheTokenWithoutAChallenge()
    {
        ServeTokens(anonymous: true);
        Upstream.RequireBearer($"{Upstream.Url}/token", Token);
        Upstream.AddManifest("library/busybox", "latest", Content, MediaTypes.DockerManifest);
        Upstream.AddManifest("library/busybox", "1.36", Content, MediaTypes.DockerManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        (await client.GetAsync("/v2/library/busybox/manifests/latest")).Dispose();
        Upstream.Server.ResetLogEntries();
        using var response = await client.GetAsync("/v2/library/busybox/manifests/1.36");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Upstream.Log.Count(e => e.RequestMessage.Path == "/token"), Is.Zero);
            Assert.That(Upstream.Log.Select(e => e.ResponseMessage.StatusCode), Has.None.EqualTo(401));
        });
    }

    [Test]
    public async Task Get_NewRepositoryOnceTheChallengeIsKnown_FetchesItsTokenBeforeAsking()
    {
        ServeTokens(anonymous: true);
        Upstream.RequireBearer($"{Upstream.Url}/token", Token);
        Upstream.AddManifest("library/busybox", "latest", Content, MediaTypes.DockerManifest);
        Upstream.AddManifest("library/alpine", "latest", Content, MediaTypes.DockerManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        (await client.GetAsync("/v2/library/busybox/manifests/latest")).Dispose();
        Upstream.Server.ResetLogEntries();
        using var response = await client.GetAsync("/v2/library/alpine/manifests/latest");

        // As docker clients do: the realm and service are the registry's, so a new scope needs no 401 first.
        var requests = Upstream.Log.OrderBy(e => e.RequestMessage.DateTime).Select(e => (e.RequestMessage.Path, e.ResponseMessage.StatusCode)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(requests.Select(r => r.StatusCode), Has.None.EqualTo(401));
            Assert.That(requests[0].Path, Is.EqualTo("/token"));
            Assert.That(Upstream.Log.Single(e => e.RequestMessage.Path == "/token").RequestMessage.Query!["scope"].Single(), Is.EqualTo("repository:library/alpine:pull"));
        });
    }

    [Test]
    public async Task Get_RepositoryTheRealmRefuses_AsksTheRealmOnceNotOnEveryPull()
    {
        ServeTokens(anonymous: false);
        Upstream.RequireBearer($"{Upstream.Url}/token", Token);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var first = await client.GetAsync("/v2/org/private/manifests/latest");
        using var second = await client.GetAsync("/v2/org/private/manifests/latest");

        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(Upstream.Log.Count(e => e.RequestMessage.Path == "/token"), Is.EqualTo(1), "the refusal is the realm's answer for a while");
        });
    }

    [Test]
    public async Task Get_TokenExpired_FetchesANewOne()
    {
        ServeTokens(anonymous: true, expiresIn: 60);
        Upstream.RequireBearer($"{Upstream.Url}/token", Token);
        Upstream.AddManifest("library/busybox", "latest", Content, MediaTypes.DockerManifest);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var mirror = Mirror(services: s => s.AddSingleton<TimeProvider>(time));
        using var client = mirror.CreateClient();

        (await client.GetAsync("/v2/library/busybox/manifests/latest")).Dispose();
        time.Advance(TimeSpan.FromSeconds(45));
        (await client.GetAsync("/v2/library/busybox/manifests/latest")).Dispose();
        var fetchesBeforeExpiry = Upstream.Log.Count(e => e.RequestMessage.Path == "/token");
        time.Advance(TimeSpan.FromSeconds(20));
        (await client.GetAsync("/v2/library/busybox/manifests/latest")).Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(fetchesBeforeExpiry, Is.EqualTo(1));
            Assert.That(Upstream.Log.Count(e => e.RequestMessage.Path == "/token"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Get_PrivateRepositoryWithCredentials_SendsThemToTheRealmOnTheUpstreamHost()
    {
        ServeTokens(anonymous: false);
        Upstream.RequireBearer($"{Upstream.Url}/token", Token);
        Upstream.AddManifest("org/private", "latest", Content, MediaTypes.DockerManifest);
        using var mirror = Mirror(credentials: true);
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync("/v2/org/private/manifests/latest");

        var tokenRequest = Upstream.Log.Single(e => e.RequestMessage.Path == "/token").RequestMessage;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(tokenRequest.Headers!["Authorization"].Single(), Is.EqualTo(Basic));
        });
    }

    [Test]
    public async Task Get_PrivateRepositoryWithoutCredentials_IsDeniedWithOciError()
    {
        ServeTokens(anonymous: false);
        Upstream.RequireBearer($"{Upstream.Url}/token", Token);
        Upstream.AddManifest("org/private", "latest", Content, MediaTypes.DockerManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync("/v2/org/private/manifests/latest");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("DENIED"));
    }

    [Test]
    public async Task Get_RealmOnAnotherHost_GetsNoCredentials()
    {
        ServeTokens(anonymous: true);
        // localhost is not 127.0.0.1 by name: to the policy it is another host the upstream pointed at.
        Upstream.RequireBearer($"{Upstream.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal)}/token", Token);
        Upstream.AddManifest("library/busybox", "latest", Content, MediaTypes.DockerManifest);
        using var mirror = Mirror(credentials: true);
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync("/v2/library/busybox/manifests/latest");

        var tokenRequest = Upstream.Log.Single(e => e.RequestMessage.Path == "/token").RequestMessage;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the anonymous token still works for a public image");
            Assert.That(tokenRequest.Headers!.ContainsKey("Authorization"), Is.False);
            Assert.That(mirror.Logs.Lines, Has.Some.Contains("[2001]"));
        });
    }

    [Test]
    public async Task Get_BasicChallenge_AnswersWithCredentials()
    {
        Upstream.RequireBasic(User, Password);
        Upstream.AddManifest("library/busybox", "latest", Content, MediaTypes.DockerManifest);
        using var mirror = Mirror(credentials: true);
        using var client = mirror.CreateClient();

        using var first = await client.GetAsync("/v2/library/busybox/manifests/latest");
        Upstream.Server.ResetLogEntries();
        using var second = await client.GetAsync("/v2/library/busybox/manifests/latest");

        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Upstream.Log.Select(e => e.ResponseMessage.StatusCode), Has.None.EqualTo(401), "Basic is sent up front once the upstream asked for it");
        });
    }

    [Test]
    public async Task Get_BasicChallengeWithoutCredentials_IsDenied()
    {
        Upstream.RequireBasic(User, Password);
        Upstream.AddManifest("library/busybox", "latest", Content, MediaTypes.DockerManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.GetAsync("/v2/library/busybox/manifests/latest");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Head_ThroughChallenge_StaysAHead()
    {
        ServeTokens(anonymous: true);
        Upstream.RequireBearer($"{Upstream.Url}/token", Token);
        Upstream.AddManifest("library/busybox", "latest", Content, MediaTypes.DockerManifest);
        using var mirror = Mirror();
        using var client = mirror.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/library/busybox/manifests/latest"));

        var registryRequests = Upstream.Log.Where(e => e.RequestMessage.Path.StartsWith("/v2/", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(registryRequests.Select(e => e.RequestMessage.Method), Is.EqualTo(new[] { "HEAD", "HEAD" }));
        });
    }

    [Test]
    public async Task Credentials_NeverReachClientsOrLogs()
    {
        ServeTokens(anonymous: false);
        Upstream.RequireBearer($"{Upstream.Url}/token", Token);
        Upstream.AddManifest("org/private", "latest", Content, MediaTypes.DockerManifest);
        using var mirror = Mirror(credentials: true, logLevel: "debug");
        using var client = mirror.CreateClient();

        var seen = new StringBuilder();
        foreach (var path in new[] { "/v2/", "/v2/org/private/manifests/latest", "/v2/org/private/manifests/nope", "/v2/org/private/tags/list", "/v2/_catalog" })
        {
            using var response = await client.GetAsync(path);
            seen.AppendLine(response.ToString()).AppendLine(response.Headers.ToString()).AppendLine(await response.Content.ReadAsStringAsync());
        }

        var logs = string.Join('\n', mirror.Logs.Lines);
        Assert.Multiple(() =>
        {
            foreach (var secret in new[] { Password, Token, Basic[6..] })
            {
                Assert.That(seen.ToString(), Does.Not.Contain(secret));
                Assert.That(logs, Does.Not.Contain(secret));
            }
        });
    }

    private MirrorFactory Mirror(bool credentials = false, string? logLevel = null, Action<IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>();
        if (credentials)
        {
            settings["proxy:username"] = User;
            settings["proxy:password"] = Password;
        }

        if (logLevel is not null)
        {
            settings["log:level"] = logLevel;
        }

        return new MirrorFactory(Upstream.Url, TempDir.Combine("store"), settings, services);
    }

    /// <summary>A token endpoint at <c>/token</c>: anonymous, or only with the mirror's credentials.</summary>
    private void ServeTokens(bool anonymous, int expiresIn = 300)
    {
        var body = $"{{\"token\":\"{Token}\",\"expires_in\":{expiresIn}}}";
        Upstream.Server.Given(Request.Create().WithPath("/token").UsingGet().WithHeader("Authorization", Basic)).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body));
        Upstream.Server.Given(Request.Create().WithPath("/token").UsingGet()).AtPriority(2)
            .RespondWith(anonymous
                ? Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body)
                : Response.Create().WithStatusCode(401).WithBody("{\"details\":\"incorrect username or password\"}"));
    }
}
