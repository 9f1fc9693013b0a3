using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>The TLS listener, as distribution's <c>http.tls</c> configures it, with certificates made by openssl.</summary>
[TestFixture]
internal sealed class TlsTests
{
    private TestDirectory _directory = null!;
    private TestCertificates _certificates = null!;
    private FakeRegistry _upstream = null!;

    [OneTimeSetUp]
    public void MakeCertificates()
    {
        _directory = new TestDirectory();
        _certificates = TestCertificates.Create(_directory.Combine("certs"));
    }

    [OneTimeTearDown]
    public void RemoveCertificates() => _directory.Dispose();

    [SetUp]
    public void StartUpstream() => _upstream = new FakeRegistry();

    [TearDown]
    public void StopUpstream() => _upstream.Dispose();

    [Test]
    public async Task Tls_Http2ByAlpnAndHttp11_BothServeTheApi()
    {
        using var mirror = Mirror();
        using var client = _certificates.CreateClient();

        using var h2 = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(mirror.Address, "/v2/")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact });
        using var h11 = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(mirror.Address, "/v2/")) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact });

        Assert.Multiple(() =>
        {
            Assert.That(mirror.Address.Scheme, Is.EqualTo("https"));
            Assert.That(h2.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(h2.Version, Is.EqualTo(HttpVersion.Version20));
            Assert.That(h11.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(h11.Version, Is.EqualTo(HttpVersion.Version11));
        });
    }

    [Test]
    public async Task Tls_Http2Disabled_OffersOnlyHttp11()
    {
        using var mirror = Mirror(new() { ["http:http2:disabled"] = "true" });
        using var client = _certificates.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(mirror.Address, "/v2/")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower });

        Assert.That(response.Version, Is.EqualTo(HttpVersion.Version11));
    }

    [Test]
    public async Task MinimumTls13_RefusesATls12Client_ServesTls13()
    {
        using var mirror = Mirror(new() { ["http:tls:minimumtls"] = "tls1.3" });
        using var tls12 = _certificates.CreateClient(protocols: SslProtocols.Tls12);
        using var tls13 = _certificates.CreateClient(protocols: SslProtocols.Tls13);

        Assert.That(async () => await tls12.GetAsync(new Uri(mirror.Address, "/v2/")), Throws.InstanceOf<HttpRequestException>());
        using var response = await tls13.GetAsync(new Uri(mirror.Address, "/v2/"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task CertificateRenewedInPlace_NewConnectionsGetTheNewOne()
    {
        using var mirror = Mirror();
        var seen = new List<string>();
        using (var before = _certificates.CreateClient(seen: seen))
        {
            (await before.GetAsync(new Uri(mirror.Address, "/v2/"))).Dispose();
        }

        var renewed = _certificates.RenewServer();
        await mirror.Logs.WaitForAsync("TLS certificate renewed", TimeSpan.FromSeconds(30));
        using var after = _certificates.CreateClient(seen: seen);
        using var response = await after.GetAsync(new Uri(mirror.Address, "/v2/"));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(seen, Has.Count.EqualTo(2));
            Assert.That(seen[0], Is.Not.EqualTo(renewed));
            Assert.That(seen[^1], Is.EqualTo(renewed));
        });
    }

    [Test]
    public async Task ClientCas_RefusesNoCertificateAndAStrangersCertificate_ServesTheCasClient()
    {
        using var mirror = Mirror(new() { ["http:tls:clientcas:0"] = _certificates.CaPath });
        using var anonymous = _certificates.CreateClient();
        using var stranger = _certificates.CreateClient(_certificates.Stranger);
        using var client = _certificates.CreateClient(_certificates.Client);
        var url = new Uri(mirror.Address, "/v2/");

        Assert.That(async () => await anonymous.GetAsync(url), Throws.InstanceOf<HttpRequestException>());
        Assert.That(async () => await stranger.GetAsync(url), Throws.InstanceOf<HttpRequestException>());
        using var response = await client.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task VerifyIfGiven_ServesWithoutACertificate_RefusesAStrangersCertificate()
    {
        using var mirror = Mirror(new() { ["http:tls:clientcas:0"] = _certificates.CaPath, ["http:tls:clientauth"] = "verify-client-cert-if-given" });
        using var anonymous = _certificates.CreateClient();
        using var stranger = _certificates.CreateClient(_certificates.Stranger);
        var url = new Uri(mirror.Address, "/v2/");

        using var response = await anonymous.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(async () => await stranger.GetAsync(url), Throws.InstanceOf<HttpRequestException>());
    }

    [Test]
    public async Task CipherSuites_OnlyTheListedSuiteIsNegotiated()
    {
        using var mirror = Mirror(new() { ["http:tls:ciphersuites:0"] = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" });

        var listed = await OpenSslClientAsync(mirror.Address, "-tls1_2 -cipher ALL");
        var other = await OpenSslClientAsync(mirror.Address, "-tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384");

        Assert.Multiple(() =>
        {
            Assert.That(listed, Does.Contain("Cipher is ECDHE-RSA-AES128-GCM-SHA256"));
            Assert.That(other, Does.Not.Contain("Cipher is ECDHE-RSA-AES256-GCM-SHA384").And.Contain("handshake failure"));
        });
    }

    [Test]
    public async Task DebugAddress_StaysPlainHttp()
    {
        var debugPort = FreePort.Next();
        using var mirror = Mirror(new() { ["http:debug:addr"] = $"127.0.0.1:{debugPort}" });
        _ = mirror.Address;
        using var plain = new HttpClient();

        using var response = await plain.GetAsync(new Uri($"http://127.0.0.1:{debugPort}/healthz"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private MirrorFactory Mirror(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? [])
        {
            ["http:tls:certificate"] = _certificates.ServerCertificatePath,
            ["http:tls:key"] = _certificates.ServerKeyPath,
        };
        return new MirrorFactory(_upstream.Url, _directory.Combine("store-" + Guid.NewGuid().ToString("N")), all);
    }

    private static async Task<string> OpenSslClientAsync(Uri address, string options)
    {
        var client = await EndToEnd.Command.RunAsync("sh", ["-c", $"echo | openssl s_client -connect {address.Authority} {options} 2>&1"]);
        return client.Output;
    }
}
