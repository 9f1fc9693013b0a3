using System.Net;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// The mirror over TLS with htpasswd authentication, in front of Debian's docker-registry behind a token
/// service that names its key by libtrust <c>kid</c> (so every upstream pull also proves the mirror's key ID
/// is the one distribution computes). Certificates come from openssl at start; dockerd verifies the mirror's
/// certificate through certs.d and sends the login stored for docker.io; podman and ctr pull over TLS too.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class SecureMirrorTests
{
    private const string User = "carol";
    private const string Password = "carol-password-2b8e";
    private static readonly ImageBlob Busybox = TestImage.Busybox();

    private readonly TestImage _public = TestImage.Single("library/pubapp", "latest", oci: false, Busybox, TestImage.FileLayer("etc/pub.txt", 2048, 11));
    private readonly TestImage _other = TestImage.Single("library/otherapp", "latest", oci: false, Busybox, TestImage.FileLayer("etc/other.txt", 2048, 12));
    private readonly TestImage _podman = TestImage.Multi("library/podapp", "latest", oci: false, Busybox, TestImage.FileLayer("etc/pod.txt", 3000, 13));
    private readonly TestImage _ctr = TestImage.Multi("library/ctrapp", "v1", oci: true, Busybox, TestImage.FileLayer("etc/ctr.txt", 3000, 14));

    private TestDirectory _directory = null!;
    private TokenService _tokens = null!;
    private UpstreamRegistry _upstream = null!;
    private TestCertificates _certificates = null!;
    private MirrorProcess _mirror = null!;
    private MirrorProcess _clientCasMirror = null!;
    private IDisposable _trust = null!;
    private DockerDaemon _docker = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _tokens = await TokenService.StartAsync(keyId: true);
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), _tokens);
        foreach (var image in new[] { _public, _other, _podman, _ctr })
        {
            await _upstream.PushAsync(image, _tokens);
        }

        _certificates = TestCertificates.Create(_directory.Combine("certs"));
        var htpasswd = _directory.Combine("htpasswd");
        var created = await Command.RunAsync("htpasswd", ["-cbB", htpasswd, User, Password]);
        Assert.That(created.Succeeded, Is.True, created.ToString());
        var tls = $"tls:\n  certificate: {_certificates.ServerCertificatePath}\n  key: {_certificates.ServerKeyPath}";
        _mirror = await MirrorProcess.StartAsync(
            _directory.Combine("mirror"),
            _upstream.Url,
            MirrorProcess.Credentials(TokenService.PullUser, TokenService.PullPassword),
            $"auth:\n  htpasswd:\n    realm: secure-mirror\n    path: {htpasswd}",
            httpYaml: tls);
        _clientCasMirror = await MirrorProcess.StartAsync(
            _directory.Combine("clientcas-mirror"),
            _upstream.Url,
            MirrorProcess.Credentials(TokenService.PullUser, TokenService.PullPassword),
            httpYaml: $"{tls}\n  clientcas:\n    - {_certificates.CaPath}");
        _trust = DockerDaemon.Trust(_mirror.Url, _certificates.CaPath);
        _docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), _mirror.Url, insecure: false);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _docker?.Dispose();
        _trust?.Dispose();
        _clientCasMirror?.Dispose();
        _mirror?.Dispose();
        _upstream?.Dispose();
        if (_tokens is not null)
        {
            await _tokens.DisposeAsync();
        }

        _directory?.Dispose();
    }

    [Test]
    public async Task Docker_OverTlsWithTheStoredLogin_Pulls_AndAWrongPasswordIsServedNothing()
    {
        var login = DockerDaemon.LoginDirectory(_directory.Combine("login-right"), User, Password);
        var wrong = DockerDaemon.LoginDirectory(_directory.Combine("login-wrong"), User, "not-the-password");

        var before = _upstream.Requests.Count;
        var pulled = await _docker.LoggedInDockerAsync(login, "pull", _public.DockerName);
        var refused = await _docker.LoggedInDockerAsync(wrong, "pull", _other.DockerName);

        Assert.Multiple(() =>
        {
            Assert.That(pulled.Succeeded, Is.True, $"{pulled}\nmirror:\n{_mirror.Output}");
            Assert.That(_mirror.Output, Does.Contain($"GET library/pubapp blob {_public.Blobs[^1].Digest} 200"));
            Assert.That(refused.Succeeded, Is.False, refused.ToString());
            Assert.That(_mirror.Output, Does.Not.Match("library/otherapp [a-z]+ \\S+ 200"), "a wrong password is served nothing");
            Assert.That(_upstream.Requests.Skip(before), Has.None.Contain("library/otherapp"));
            Assert.That(_mirror.Output, Does.Not.Contain(Password).And.Not.Contain("not-the-password"));
        });
    }

    [Test]
    public async Task Podman_OverTlsWithCredentials_Pulls()
    {
        var root = _directory.Combine("podman");
        var certs = Path.Combine(root, "certs");
        Directory.CreateDirectory(certs);
        File.Copy(_certificates.CaPath, Path.Combine(certs, "ca.crt"));

        // What "podman login <mirror>" writes: containers/image looks a mirror's credentials up by its own host.
        var authFile = Path.Combine(root, "auth.json");
        await File.WriteAllTextAsync(authFile, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["auths"] = new Dictionary<string, object> { [_mirror.Url.Authority] = new { auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{User}:{Password}")) } },
        }));

        var pull = await Podman.PullAsync(root, _mirror.Url.Authority, "docker.io/library/podapp:latest", insecure: false, "--cert-dir", certs, "--authfile", authFile);

        Assert.That(pull.Succeeded, Is.True, $"{pull}\nmirror:\n{_mirror.Output}");
    }

    [Test]
    public async Task Ctr_OverTlsWithCredentials_Pulls()
    {
        var hosts = await ContainerdHosts.WriteAsync(_directory.Combine("ctr-hosts"), _mirror.Url, $"  ca = \"{_certificates.CaPath}\"");

        var pull = await _docker.CtrAsync("images", "pull", "--hosts-dir", hosts, "--user", $"{User}:{Password}", "docker.io/library/ctrapp:v1");

        Assert.That(pull.Succeeded, Is.True, $"{pull}\nmirror:\n{_mirror.Output}");
    }

    [Test]
    public async Task ClientCas_AClientWithoutACertificateIsRefused_CtrWithOnePulls()
    {
        var hosts = await ContainerdHosts.WriteAsync(
            _directory.Combine("ctr-client-hosts"),
            _clientCasMirror.Url,
            $"  ca = \"{_certificates.CaPath}\"\n  client = [[\"{_certificates.ClientCertificatePath}\", \"{_certificates.ClientKeyPath}\"]]");
        using var withoutCertificate = _certificates.CreateClient();

        Assert.That(async () => await withoutCertificate.GetAsync(new Uri(_clientCasMirror.Url, "/v2/")), Throws.InstanceOf<HttpRequestException>());
        var pull = await _docker.CtrAsync("images", "pull", "--hosts-dir", hosts, "docker.io/library/pubapp:latest");
        Assert.That(pull.Succeeded, Is.True, $"{pull}\nmirror:\n{_clientCasMirror.Output}");
    }
}
