using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// The two authentication modes that answer per repository, with real dockerds pulling: <c>auth.token</c>
/// with a token service of the suite's own (its own key, issuer and service, not the upstream's), and
/// <c>auth.upstream</c>, where each user's own upstream login decides what they may pull. The upstream is
/// Debian's docker-registry behind the upstream's token service, which lets alice pull private/alice-*,
/// bob and anonymous clients only public repositories.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class AuthModesTests
{
    private const string MirrorIssuer = "mirror-token-issuer";
    private const string MirrorService = "mirror.test";
    private static readonly ImageBlob Busybox = TestImage.Busybox();

    private readonly TestImage _public = TestImage.Single("library/webapp", "latest", oci: false, Busybox, TestImage.FileLayer("etc/web.txt", 2048, 21));
    private readonly TestImage _private = TestImage.Single("private/alice-app", "latest", oci: false, Busybox, TestImage.FileLayer("etc/alice-secret.txt", 4096, 22));
    private readonly TestImage _privateToo = TestImage.Single("private/alice-tool", "latest", oci: false, Busybox, TestImage.FileLayer("etc/alice-tool.txt", 4096, 23));

    private TestDirectory _directory = null!;
    private TokenService _upstreamTokens = null!;
    private TokenService _mirrorTokens = null!;
    private UpstreamRegistry _upstream = null!;
    private MirrorProcess _tokenMirror = null!;
    private MirrorProcess _passThroughMirror = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _upstreamTokens = await TokenService.StartAsync();
        _mirrorTokens = await TokenService.StartAsync(MirrorIssuer, MirrorService);
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), _upstreamTokens);
        foreach (var image in new[] { _public, _private, _privateToo })
        {
            await _upstream.PushAsync(image, _upstreamTokens);
        }

        var bundle = _directory.Combine("mirror-token.pem");
        await File.WriteAllTextAsync(bundle, _mirrorTokens.CertificatePem);
        var credentials = MirrorProcess.Credentials(TokenService.PullUser, TokenService.PullPassword);
        var mirrors = await Task.WhenAll(
            MirrorProcess.StartAsync(_directory.Combine("token-mirror"), _upstream.Url, credentials,
                $"auth:\n  token:\n    realm: {_mirrorTokens.Realm}\n    service: {MirrorService}\n    issuer: {MirrorIssuer}\n    rootcertbundle: {bundle}"),
            MirrorProcess.StartAsync(_directory.Combine("passthrough-mirror"), _upstream.Url, credentials, "auth:\n  upstream:\n    ttl: 2m"));
        (_tokenMirror, _passThroughMirror) = (mirrors[0], mirrors[1]);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _tokenMirror?.Dispose();
        _passThroughMirror?.Dispose();
        _upstream?.Dispose();
        foreach (var tokens in new[] { _upstreamTokens, _mirrorTokens })
        {
            if (tokens is not null)
            {
                await tokens.DisposeAsync();
            }
        }

        _directory?.Dispose();
    }

    [Test]
    public async Task Token_DockerGetsTokensFromTheMirrorsService_AccessClaimDecidesPerRepository()
    {
        var alice = DockerDaemon.LoginDirectory(_directory.Combine("token-alice"), TokenService.AliceUser, TokenService.AlicePassword);
        var bob = DockerDaemon.LoginDirectory(_directory.Combine("token-bob"), TokenService.BobUser, TokenService.BobPassword);

        // Each test starts its own dockerd for its mirror (short directory names: containerd's socket paths must fit 108 bytes).
        using var docker = await DockerDaemon.StartAsync(_directory.Combine("tk-docker"), _tokenMirror.Url);
        var nobody = _directory.Combine("token-nobody");
        Directory.CreateDirectory(nobody);
        var anonymousPublic = await docker.LoggedInDockerAsync(nobody, "pull", _public.DockerName);
        var bobPrivate = await docker.LoggedInDockerAsync(bob, "pull", _private.DockerName);
        var alicePrivate = await docker.LoggedInDockerAsync(alice, "pull", _private.DockerName);

        Assert.Multiple(() =>
        {
            Assert.That(anonymousPublic.Succeeded, Is.True, $"{anonymousPublic}\nmirror:\n{_tokenMirror.Output}");
            Assert.That(bobPrivate.Succeeded, Is.False, bobPrivate.ToString());
            Assert.That(alicePrivate.Succeeded, Is.True, $"{alicePrivate}\nmirror:\n{_tokenMirror.Output}");
            Assert.That(_mirrorTokens.Log, Has.Some.EqualTo($"{TokenService.AliceUser} repository:{_private.Repository}:pull"), "docker asked the mirror's token service, as alice");
            Assert.That(_mirrorTokens.Log, Has.Some.EqualTo($"{TokenService.BobUser} repository:{_private.Repository}:pull"));
        });
    }

    [Test]
    public async Task PassThrough_EachUsersOwnUpstreamLoginDecides_AndPrivateLayersStayInTheirRepository()
    {
        var alice = DockerDaemon.LoginDirectory(_directory.Combine("up-alice"), TokenService.AliceUser, TokenService.AlicePassword);
        var bob = DockerDaemon.LoginDirectory(_directory.Combine("up-bob"), TokenService.BobUser, TokenService.BobPassword);
        var nobody = _directory.Combine("up-nobody");
        Directory.CreateDirectory(nobody);

        using var docker = await DockerDaemon.StartAsync(_directory.Combine("pt-docker"), _passThroughMirror.Url);
        var anonymousPrivate = await docker.LoggedInDockerAsync(nobody, "pull", _privateToo.DockerName);
        var bobPrivate = await docker.LoggedInDockerAsync(bob, "pull", _privateToo.DockerName);
        var alicePrivate = await docker.LoggedInDockerAsync(alice, "pull", _private.DockerName);
        var anonymousPublic = await docker.LoggedInDockerAsync(nobody, "pull", _public.DockerName);

        // What any client does with the Bearer challenge: ask the mirror's token service for the scope, then ask with the token.
        var secretLayer = _private.Blobs[^1].Digest;
        using var client = new HttpClient { BaseAddress = _passThroughMirror.Url };
        using var underPublicName = await GetWithTokenAsync(client, $"/v2/{_public.Repository}/blobs/{secretLayer}", null, _public.Repository);
        using var bobAsks = await GetWithTokenAsync(client, $"/v2/{_private.Repository}/blobs/{secretLayer}", (TokenService.BobUser, TokenService.BobPassword), _private.Repository);
        using var aliceAsks = await GetWithTokenAsync(client, $"/v2/{_private.Repository}/blobs/{secretLayer}", (TokenService.AliceUser, TokenService.AlicePassword), _private.Repository);
        using var wrongPassword = await TokenResponseAsync(client, (TokenService.AliceUser, "not-alices-password"), _private.Repository);

        Assert.Multiple(async () =>
        {
            Assert.That(anonymousPrivate.Succeeded, Is.False, anonymousPrivate.ToString());
            Assert.That(bobPrivate.Succeeded, Is.False, bobPrivate.ToString());
            Assert.That(alicePrivate.Succeeded, Is.True, $"{alicePrivate}\nmirror:\n{_passThroughMirror.Output}");
            Assert.That(anonymousPublic.Succeeded, Is.True, $"{anonymousPublic}\nmirror:\n{_passThroughMirror.Output}");
            Assert.That(_upstreamTokens.Log, Has.Some.EqualTo($"{TokenService.AliceUser} repository:{_private.Repository}:pull"), "the mirror asked the upstream's realm with alice's login");
            Assert.That(underPublicName.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "a private layer is not served under a public name");
            Assert.That(await OciErrors.CodeOf(underPublicName), Is.EqualTo("BLOB_UNKNOWN"));
            Assert.That(bobAsks.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "bob is known upstream, but may not pull alice's repository");
            Assert.That(bobAsks.Headers.WwwAuthenticate.ToString(), Does.Contain("error=\"insufficient_scope\""));
            Assert.That(aliceAsks.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(wrongPassword.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a login the upstream refuses gets no token");
            Assert.That(_passThroughMirror.Output, Does.Not.Contain(TokenService.AlicePassword).And.Not.Contain(TokenService.BobPassword));
        });
    }

    private static async Task<HttpResponseMessage> TokenResponseAsync(HttpClient client, (string User, string Password)? login, string repository)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/auth/token?service=mirror&scope=repository:{repository}:pull");
        if (login is { } l)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{l.User}:{l.Password}")));
        }

        return await client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> GetWithTokenAsync(HttpClient client, string path, (string User, string Password)? login, string repository)
    {
        using var tokenResponse = await TokenResponseAsync(client, login, repository);
        using var json = System.Text.Json.JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("token").GetString());
        return await client.SendAsync(request);
    }
}
