using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Authentication;
using Mirror.Tests.Support;
using static Mirror.Tests.Support.TestTokens;

namespace Mirror.Tests.Gateway;

/// <summary><c>auth.token</c>: bearer JWTs from a token service, honoured per repository, every refusal distribution makes.</summary>
[TestFixture]
internal sealed class TokenAuthTests : FakeUpstreamTests
{
    private const string Repository = "library/busybox";
    private const string Realm = "http://127.0.0.1:1/token";
    private const string Pull = $"repository:{Repository}:pull";
    private static readonly byte[] Manifest = Encoding.UTF8.GetBytes("""{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{},"layers":[]}""");

    private TestTokens _tokens = null!;
    private TestTokens _stranger = null!;
    private MirrorFactory _mirror = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void MakeKeys()
    {
        _tokens = Rsa();
        _stranger = Rsa("CN=someone else's signer");
    }

    [OneTimeTearDown]
    public void DropKeys()
    {
        _tokens.Dispose();
        _stranger.Dispose();
    }

    [SetUp]
    public void AddManifest() => Upstream.AddManifest(Repository, "latest", Manifest, MediaTypes.DockerManifest);

    [TearDown]
    public void StopMirror()
    {
        _client?.Dispose();
        _mirror?.Dispose();
    }

    [Test]
    public async Task NoToken_401WithTheBearerChallengeForTheRepositorysPullScope()
    {
        StartMirror();

        using var manifest = await _client.GetAsync($"/v2/{Repository}/manifests/latest");
        using var ping = await _client.GetAsync("/v2/");

        Assert.Multiple(async () =>
        {
            Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(manifest.Headers.WwwAuthenticate.ToString(), Is.EqualTo($"Bearer realm=\"{Realm}\",service=\"{Service}\",scope=\"{Pull}\""));
            Assert.That(await OciErrors.CodeOf(manifest), Is.EqualTo("UNAUTHORIZED"));
            Assert.That(ping.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(ping.Headers.WwwAuthenticate.ToString(), Is.EqualTo($"Bearer realm=\"{Realm}\",service=\"{Service}\""));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task ValidToken_ServesTheRepositoryItGrants_AndPingWithAnyValidToken()
    {
        StartMirror();

        using var manifest = await GetAsync($"/v2/{Repository}/manifests/latest", _tokens.Issue([Pull]));
        using var ping = await GetAsync("/v2/", _tokens.Issue([]));
        using var wildcard = await GetAsync($"/v2/{Repository}/manifests/latest", _tokens.Issue([$"repository:{Repository}:*"]));

        Assert.Multiple(async () =>
        {
            Assert.That(manifest.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await manifest.Content.ReadAsByteArrayAsync(), Is.EqualTo(Manifest));
            Assert.That(ping.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(wildcard.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task ValidTokenForAnotherRepository_401InsufficientScope()
    {
        StartMirror();

        using var response = await GetAsync($"/v2/{Repository}/manifests/latest", _tokens.Issue(["repository:library/other:pull", $"repository:{Repository}:push"]));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo($"Bearer realm=\"{Realm}\",service=\"{Service}\",scope=\"{Pull}\",error=\"insufficient_scope\""));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    public static IEnumerable<TestCaseData> RefusedTokens()
    {
        // Times are taken when the test runs, not when NUnit lists the cases.
        yield return new TestCaseData((Func<TestTokens, TestTokens, string>)((t, _) => t.Issue([Pull], expires: DateTimeOffset.UtcNow.AddSeconds(-90), notBefore: DateTimeOffset.UtcNow.AddMinutes(-5)))).SetName("Refused_Expired");
        yield return new TestCaseData((Func<TestTokens, TestTokens, string>)((t, _) => t.Issue([Pull], notBefore: DateTimeOffset.UtcNow.AddSeconds(90)))).SetName("Refused_NotYetValid");
        yield return new TestCaseData((Func<TestTokens, TestTokens, string>)((t, _) => t.Issue([Pull], issuer: "someone-else"))).SetName("Refused_WrongIssuer");
        yield return new TestCaseData((Func<TestTokens, TestTokens, string>)((t, _) => t.Issue([Pull], audience: "another.service"))).SetName("Refused_WrongAudience");
        yield return new TestCaseData((Func<TestTokens, TestTokens, string>)((_, s) => s.Issue([Pull]))).SetName("Refused_SignedByAKeyOutsideTheBundle");
        yield return new TestCaseData((Func<TestTokens, TestTokens, string>)((t, s) => t.Issue([Pull], naming: KeyNaming.Kid, kid: LibtrustKeyId.Of(s.Certificate)))).SetName("Refused_KidOfAnUnknownKey");
        yield return new TestCaseData((Func<TestTokens, TestTokens, string>)((t, _) => t.Issue([Pull], naming: KeyNaming.None))).SetName("Refused_NamesNoKey");
        yield return new TestCaseData((Func<TestTokens, TestTokens, string>)((t, _) => Tamper(t.Issue(["repository:library/other:pull"])))).SetName("Refused_Tampered");
        yield return new TestCaseData((Func<TestTokens, TestTokens, string>)((t, _) => Unsigned(t.Issue([Pull])))).SetName("Refused_AlgNone");
        yield return new TestCaseData((Func<TestTokens, TestTokens, string>)((t, _) => "not.a.token")).SetName("Refused_Garbage");
    }

    [TestCaseSource(nameof(RefusedTokens))]
    public async Task Refused_401InvalidTokenAndNothingServed(Func<TestTokens, TestTokens, string> token)
    {
        StartMirror();

        using var response = await GetAsync($"/v2/{Repository}/manifests/latest", token(_tokens, _stranger));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.EndWith(",error=\"invalid_token\""));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task ClaimNamedLikeAGrant_OutsideTheAccessClaim_GrantsNothing()
    {
        StartMirror();
        var now = DateTimeOffset.UtcNow;
        var token = _tokens.Sign(
            new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "JWT", ["x5c"] = new[] { Convert.ToBase64String(_tokens.Certificate.RawData) } },
            new Dictionary<string, object>
            {
                ["iss"] = Issuer,
                ["aud"] = Service,
                ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
                [RegistryAccessClaims.Type] = $"repository:{Repository}:pull",
                ["access"] = Array.Empty<object>(),
            });

        using var response = await GetAsync($"/v2/{Repository}/manifests/latest", token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task ExpiredWithinTheLeeway_StillServed()
    {
        StartMirror();

        using var response = await GetAsync($"/v2/{Repository}/manifests/latest", _tokens.Issue([Pull], expires: DateTimeOffset.UtcNow.AddSeconds(-30), notBefore: DateTimeOffset.UtcNow.AddMinutes(-5)));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task KidAsLibtrustKeyIdOrJwkThumbprint_NamesABundleKey()
    {
        StartMirror();
        var thumbprint = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(
            Microsoft.IdentityModel.Tokens.JsonWebKeyConverter.ConvertFromSecurityKey(new Microsoft.IdentityModel.Tokens.RsaSecurityKey(_tokens.Certificate.GetRSAPublicKey()!)).ComputeJwkThumbprint());

        using var libtrust = await GetAsync($"/v2/{Repository}/manifests/latest", _tokens.Issue([Pull], naming: KeyNaming.Kid, kid: LibtrustKeyId.Of(_tokens.Certificate)));
        using var rfc7638 = await GetAsync($"/v2/{Repository}/manifests/latest", _tokens.Issue([Pull], naming: KeyNaming.Kid, kid: thumbprint));

        Assert.Multiple(() =>
        {
            Assert.That(libtrust.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(rfc7638.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Jwks_KeyNamedByKid_Served()
    {
        var jwks = TempDir.Combine("keys.jwks");
        await File.WriteAllTextAsync(jwks, _tokens.Jwks("key-2026"));
        StartMirror(new() { ["auth:token:jwks"] = jwks, ["auth:token:rootcertbundle"] = null });

        using var named = await GetAsync($"/v2/{Repository}/manifests/latest", _tokens.Issue([Pull], naming: KeyNaming.Kid, kid: "key-2026"));
        using var other = await GetAsync($"/v2/{Repository}/manifests/latest", _tokens.Issue([Pull], naming: KeyNaming.Kid, kid: "key-2025"));

        Assert.Multiple(() =>
        {
            Assert.That(named.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task EcdsaSigner_AndAnAudienceList_Served()
    {
        using var ec = EcDsa();
        StartMirror(bundle: ec);

        using var response = await GetAsync($"/v2/{Repository}/manifests/latest", ec.Sign(
            new Dictionary<string, object> { ["alg"] = "ES256", ["typ"] = "JWT", ["x5c"] = new[] { Convert.ToBase64String(ec.Certificate.RawData) } },
            new { iss = Issuer, aud = new[] { "other", Service }, exp = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(), access = new[] { new { type = "repository", name = Repository, actions = new[] { "pull" } } } }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), string.Join('\n', _mirror.Logs.Lines));
    }

    [Test]
    public async Task SigningAlgorithms_RestrictWhatIsAccepted()
    {
        StartMirror(new() { ["auth:token:signingalgorithms:0"] = "ES256" });

        using var response = await GetAsync($"/v2/{Repository}/manifests/latest", _tokens.Issue([Pull]));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1])).Replace("library/other", Repository, StringComparison.Ordinal);
        return $"{parts[0]}.{Base64Url(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";
    }

    private static string Unsigned(string token)
    {
        var parts = token.Split('.');
        return $"{Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"none\",\"typ\":\"JWT\"}"))}.{parts[1]}.";
    }

    private void StartMirror(Dictionary<string, string?>? settings = null, TestTokens? bundle = null)
    {
        var pem = TempDir.Combine("bundle.pem");
        File.WriteAllText(pem, (bundle ?? _tokens).CertificatePem);
        var all = new Dictionary<string, string?>
        {
            ["auth:token:realm"] = Realm,
            ["auth:token:service"] = Service,
            ["auth:token:issuer"] = Issuer,
            ["auth:token:rootcertbundle"] = pem,
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        _mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"), all);
        _client = new HttpClient { BaseAddress = _mirror.Address };
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _client.SendAsync(request);
    }
}
