using System.Globalization;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// The mirror's image as deploy/build-image.sh makes it (the native build, published once per run) under a real
/// dockerd: run as Docker's recipe runs registry:2, configured by <c>REGISTRY_*</c> variables only, with
/// <c>--network host</c> (the test daemon has no bridge). The same daemon, whose <c>registry-mirrors</c> names the
/// container's address, pulls and runs an image through it from Debian's docker-registry. The process is not
/// root, the health check turns healthy, and <c>docker stop</c> during a download ends it with exit 0.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class ImageEndToEndTests
{
    private const long MaxImageBytes = 60_000_000;
    private static readonly ImageBlob Busybox = TestImage.Busybox();

    private readonly TestImage _image = TestImage.Single("library/contained", "latest", oci: false, Busybox, TestImage.FileLayer("etc/contained.txt", 4096, 41));
    private readonly TestImage _large = TestImage.Single("library/large", "latest", oci: false, TestImage.FileLayer("data/large.bin", 48 << 20, 42));
    private readonly TestImage _secure = TestImage.Single("library/secure", "latest", oci: false, TestImage.FileLayer("etc/secure.txt", 4096, 43));
    private readonly string _tag = $"mirror-test:{Guid.NewGuid():N}";
    private readonly string _container = $"mirror-{Guid.NewGuid():N}";

    private TestDirectory _directory = null!;
    private UpstreamRegistry _upstream = null!;
    private UpstreamRegistry _httpsUpstream = null!;
    private TestCertificates _certificates = null!;
    private DockerDaemon _docker = null!;
    private Uri _mirror = null!;
    private string _build = string.Empty;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), tokens: null);
        await _upstream.PushAsync(_image, tokens: null);
        await _upstream.PushAsync(_large, tokens: null);
        await _upstream.PushAsync(_secure, tokens: null);
        _certificates = TestCertificates.Create(_directory.Combine("certs"));
        _httpsUpstream = await UpstreamRegistry.StartTlsAsync(_directory.Combine("https-upstream"), _directory.Combine("upstream"), _certificates);
        _mirror = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        _docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), _mirror);

        // The script publishes the native build (minutes on a loaded machine) unless MIRROR_NATIVE names one.
        var build = await Command.RunAsync(
            Path.Combine(GatewayProcess.RepositoryRoot, "deploy", "build-image.sh"),
            [_tag],
            new Dictionary<string, string?> { ["DOCKER_HOST"] = "unix://" + _docker.Socket },
            TimeSpan.FromMinutes(45));
        Assert.That(build.Succeeded, Is.True, build.ToString());
        _build = build.Output;

        await RunMirrorAsync(_upstream.Url);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_docker is not null)
        {
            await _docker.DockerAsync("rm", "-f", _container);
            _docker.Dispose();

            // A container on the host's network leaves dockerd's bind mount of that namespace behind.
            var hostNamespace = _directory.Combine("docker", "exec", "netns", "default");
            if (File.Exists(hostNamespace))
            {
                await Command.RunAsync("umount", [hostNamespace]);
            }
        }

        _upstream?.Dispose();
        _httpsUpstream?.Dispose();
        _directory?.Dispose();
    }

    [Test]
    [Order(1)]
    public async Task Image_RunWithRegistryVariables_ServesDockerPulls_AsNonRoot_Healthy_WithinSize()
    {
        var pull = await _docker.DockerAsync("pull", _image.DockerName);
        Assert.That(pull.Succeeded, Is.True, $"{pull}\nmirror:\n{await Logs()}");
        var run = await _docker.DockerAsync("run", "--rm", "--network", "none", _image.DockerName, "/bin/busybox", "cat", "/etc/contained.txt");
        Assert.That(run.Succeeded, Is.True, run.ToString());

        var pid = (await _docker.DockerAsync("inspect", "--format", "{{.State.Pid}}", _container)).Output.Trim();
        var uid = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
        var health = await Eventually.ValueAsync(
            async () => (await _docker.DockerAsync("inspect", "--format", "{{.State.Health.Status}}", _container)).Output.Trim(),
            status => status == "healthy",
            "docker reports the container healthy",
            TimeSpan.FromSeconds(60),
            seen: () => _docker.DockerAsync("inspect", "--format", "{{json .State.Health}}", _container).GetAwaiter().GetResult().Output);
        var size = long.Parse((await _docker.DockerAsync("image", "inspect", "--format", "{{.Size}}", _tag)).Output.Trim(), CultureInfo.InvariantCulture);

        Assert.Multiple(() =>
        {
            Assert.That(_upstream.Requests, Has.Some.StartsWith("GET /v2/library/contained/blobs/"), "the layers came from the upstream through the container");
            Assert.That(uid, Is.Not.EqualTo("0"), "the mirror's process in the container is not root");
            Assert.That(health, Is.EqualTo("healthy"));
            Assert.That(size, Is.LessThanOrEqualTo(MaxImageBytes), _build);
        });
    }

    [Test]
    [Order(2)]
    public async Task Stop_DuringADownload_ExitsZeroWithinDockersTimeout()
    {
        using var client = new HttpClient();
        var layer = _large.Blobs.OrderByDescending(b => b.Content.Length).First();
        using var response = await client.GetAsync(new Uri(_mirror, $"/v2/library/large/blobs/{layer.Digest}"), HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var first = new byte[4096];
        await body.ReadExactlyAsync(first);

        var stop = await _docker.DockerAsync("stop", "--time", "10", _container);
        var exit = (await _docker.DockerAsync("inspect", "--format", "{{.State.ExitCode}}", _container)).Output.Trim();

        Assert.That(stop.Succeeded, Is.True, stop.ToString());
        Assert.That(exit, Is.EqualTo("0"), await Logs());
    }

    [Test]
    [Order(3)]
    public async Task Image_GivenTheUpstreamsCa_PullsFromAnHttpsUpstream()
    {
        // The same address, now mirroring the https upstream: its CA mounted into SSL_CERT_DIR, beside the image's bundle.
        await _docker.DockerAsync("rm", "-f", _container);
        await RunMirrorAsync(_httpsUpstream.Url, "-v", $"{_certificates.CaPath}:/etc/ssl/certs/upstream-ca.crt:ro");

        var pull = await _docker.DockerAsync("pull", _secure.DockerName);

        Assert.Multiple(async () =>
        {
            Assert.That(pull.Succeeded, Is.True, $"{pull}\nmirror:\n{await Logs()}");
            Assert.That(_httpsUpstream.Requests, Has.Some.StartsWith("GET /v2/library/secure/blobs/"), "the layer came over TLS from the https upstream");
        });
    }

    /// <summary>Runs the image as the container <c>_container</c> on the host's network, mirroring <paramref name="upstream"/>, until it answers.</summary>
    private async Task RunMirrorAsync(Uri upstream, params string[] options)
    {
        var run = await _docker.DockerAsync(
            ["run", "-d", "--name", _container, "--network", "host", "--health-interval", "1s", "--health-start-period", "1s", .. options,
            "-e", $"REGISTRY_PROXY_REMOTEURL={upstream}", "-e", $"REGISTRY_HTTP_ADDR={_mirror.Authority}", _tag]);
        Assert.That(run.Succeeded, Is.True, run.ToString());
        using var client = new HttpClient();
        await Eventually.TrueAsync(
            async () => await Answers(client, new Uri(_mirror, "/v2/")),
            "the containerised mirror answers /v2/",
            TimeSpan.FromSeconds(60),
            seen: () => Logs().GetAwaiter().GetResult());
    }

    private static async Task<bool> Answers(HttpClient client, Uri url)
    {
        try
        {
            using var response = await client.GetAsync(url);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private async Task<string> Logs() => (await _docker.DockerAsync("logs", _container)).Output;
}
