using System.Net;
using System.Net.Sockets;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// One mirror in front of several registries and proxies, all real processes on loopback: a Docker-Hub-like
/// docker-registry behind the suite's token service (docker.io, the <c>proxy</c> section); a second
/// docker-registry with Basic auth (as Nexus and Artifactory ask) known as <c>registry.test:5000</c>,
/// reached through the environment's egress proxy (tinyproxy); the same registry as <c>harbor.test</c>, a
/// Harbor-style project under a name prefix; and distribution's own proxy in front of docker.io, known as
/// <c>hub-proxy.test</c>, through its own <c>httpproxy</c> (a second tinyproxy). dockerd, ctr (which sends
/// containerd's <c>ns</c>) and podman (a mirror location with a host path, which image references allow for
/// a host without a port) pull through it.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class ManyUpstreamsEndToEndTests
{
    private const string Private = "registry.test:5000";
    private const string Harbor = "harbor.test";
    private const string HubProxy = "hub-proxy.test";
    private const string BasicUser = "nexus-reader";
    private const string BasicPassword = "nexus-reader-password";

    private static readonly ImageBlob Busybox = TestImage.Busybox();
    private static readonly ImageBlob Shared = TestImage.FileLayer("etc/shared-base.txt", 6000, 71);

    private readonly TestImage _hubApp = TestImage.Single("library/hubapp", "1.0", oci: false, Busybox, Shared, TestImage.FileLayer("etc/hubapp.txt", 3000, 72));
    private readonly TestImage _hubLater = TestImage.Single("library/later", "1.0", oci: true, Busybox, TestImage.FileLayer("etc/later.txt", 3000, 73));
    private readonly TestImage _proxied = TestImage.Single("library/proxied", "1.0", oci: false, Busybox, TestImage.FileLayer("etc/proxied.txt", 3000, 74));
    private readonly TestImage _privateApp = TestImage.Multi("org/app", "1.0", oci: true, Busybox, Shared, TestImage.FileLayer("etc/app.txt", 3000, 75));
    private readonly TestImage _harborTool = TestImage.Single("mirrored/org/tool", "1.0", oci: false, Busybox, Shared, TestImage.FileLayer("etc/tool.txt", 3000, 76));

    private TestDirectory _directory = null!;
    private TokenService _tokens = null!;
    private UpstreamRegistry _hub = null!;
    private UpstreamRegistry _private = null!;
    private UpstreamRegistry _distributionProxy = null!;
    private ForwardProxy _egress = null!;
    private ForwardProxy _ownProxy = null!;
    private MirrorProcess _mirror = null!;
    private DockerDaemon _docker = null!;
    private string _hostName = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // A name Go's proxy rules do not take for loopback (they skip localhost and loopback addresses), so
        // the environment's proxy applies, and that the proxy resolves to this machine.
        _hostName = Dns.GetHostName();
        Assert.That((await Dns.GetHostAddressesAsync(_hostName)).Any(IPAddress.IsLoopback), Is.True, $"the machine's name {_hostName} must resolve to a loopback address (/etc/hosts)");

        _directory = new TestDirectory();
        _tokens = await TokenService.StartAsync();
        _hub = await UpstreamRegistry.StartAsync(_directory.Combine("hub"), _tokens);
        _private = await UpstreamRegistry.StartAsync(_directory.Combine("private"), null, basicUser: (BasicUser, BasicPassword));
        foreach (var image in new[] { _hubApp, _hubLater, _proxied })
        {
            await _hub.PushAsync(image, _tokens);
        }

        foreach (var image in new[] { _privateApp, _harborTool })
        {
            await _private.PushAsync(image, null);
        }

        _distributionProxy = await UpstreamRegistry.StartProxyAsync(_directory.Combine("dist-proxy"), _hub.Url, TokenService.PullUser, TokenService.PullPassword);
        _egress = await ForwardProxy.StartAsync(_directory.Combine("egress"));
        _ownProxy = await ForwardProxy.StartAsync(_directory.Combine("own-proxy"));
        _mirror = await MirrorProcess.StartAsync(
            _directory.Combine("mirror"),
            _hub.Url,
            MirrorProcess.Credentials(TokenService.PullUser, TokenService.PullPassword),
            $"""
            mirror:
              upstreams:
                "{Private}":
                  remoteurl: http://{_hostName}:{_private.Url.Port}
                  username: {BasicUser}
                  password: {BasicPassword}
                {Harbor}:
                  remoteurl: {_private.Url}
                  prefix: mirrored
                  username: {BasicUser}
                  password: {BasicPassword}
                {HubProxy}:
                  remoteurl: http://{_hostName}:{_distributionProxy.Url.Port}
                  httpproxy: {_ownProxy.Url}
            """,
            environment: new Dictionary<string, string?> { ["HTTP_PROXY"] = _egress.Url.ToString(), ["HTTPS_PROXY"] = _egress.Url.ToString(), ["NO_PROXY"] = string.Empty });
        _docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), _mirror.Url);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _docker?.Dispose();
        _mirror?.Dispose();
        _ownProxy?.Dispose();
        _egress?.Dispose();
        _distributionProxy?.Dispose();
        _private?.Dispose();
        _hub?.Dispose();
        if (_tokens is not null)
        {
            await _tokens.DisposeAsync();
        }

        _directory?.Dispose();
    }

    [Test]
    [Order(1)]
    public async Task Ctr_PullsFromEveryRegistryThroughOneMirror()
    {
        var hosts = _directory.Combine("ctr-hosts");
        foreach (var registry in new[] { "docker.io", Private, Harbor, HubProxy })
        {
            // The registry itself is never reached: ctr's closed proxy makes that fallback fail.
            await ContainerdHosts.WriteAsync(hosts, _mirror.Url, registry: registry, server: $"https://{registry}");
        }

        foreach (var image in new[] { $"{Private}/org/app:1.0", "docker.io/library/hubapp:1.0", $"{Harbor}/org/tool:1.0", $"{HubProxy}/library/proxied:1.0" })
        {
            var pull = await _docker.CtrAsync("images", "pull", "--hosts-dir", hosts, image);
            Assert.That(pull.Succeeded, Is.True, $"{image}: {pull}\nmirror:\n{_mirror.Output}");
        }

        // Each registry was asked under its own name, the private one through the egress proxy, distribution's
        // proxy through the proxy of its own.
        await _egress.WaitForRequestAsync($"GET http://{_hostName}:{_private.Url.Port}/v2/org/app/manifests/");
        await _ownProxy.WaitForRequestAsync($"http://{_hostName}:{_distributionProxy.Url.Port}/v2/library/proxied/manifests/1.0");
        Assert.Multiple(() =>
        {
            Assert.That(_private.Requests, Has.Some.StartsWith("GET /v2/mirrored/org/tool/manifests/"), "the Harbor-style prefix");
            Assert.That(_distributionProxy.Requests, Has.Some.StartsWith("GET /v2/library/proxied/blobs/sha256:"));
            Assert.That(_egress.Output, Does.Not.Contain($":{_distributionProxy.Url.Port}/"), "an upstream's own httpproxy overrides the environment's");
            Assert.That(_hub.Requests, Has.None.Contains("/v2/org/app/"), "docker.io is asked for its own names only");
        });
    }

    [Test]
    [Order(2)]
    public async Task Podman_PullsThroughAMirrorLocationWithAHostPath_AndASharedLayerIsFetchedOnceFromEachRegistry()
    {
        var harborPull = await Podman.PullAsync(_directory.Combine("podman-harbor"), Harbor, $"{_mirror.Url.Authority}/{Harbor}", $"{Harbor}/org/tool:1.0", insecure: true);
        var hubPull = await Podman.PullAsync(_directory.Combine("podman-hub"), _mirror.Url.Authority, "docker.io/library/hubapp:1.0", insecure: true);

        Assert.Multiple(() =>
        {
            Assert.That(harborPull.Succeeded, Is.True, harborPull.ToString());
            Assert.That(hubPull.Succeeded, Is.True, hubPull.ToString());

            // The layer the images share came from the private registry for ctr's pull of registry.test:5000's
            // image (ctr's own store had it after that). harbor.test's and docker.io's manifests name it, but a
            // registry's word is no proof that it holds the bytes: for podman's fresh stores it was fetched
            // once from each of them too (harbor.test is the same server, another registry to the mirror),
            // and the store kept one copy.
            Assert.That(_hub.Gets(Shared.Digest), Is.EqualTo(1), "once from docker.io");
            Assert.That(_private.Gets(Shared.Digest), Is.EqualTo(2), "once as registry.test:5000, once as harbor.test");
        });
    }

    [Test]
    [Order(3)]
    public async Task Docker_KeepsPullingDockerIoImages()
    {
        var pull = await _docker.DockerAsync("pull", _hubApp.DockerName);
        var run = await _docker.DockerAsync("run", "--rm", "--network", "none", _hubApp.DockerName, "/bin/busybox", "cat", "/etc/hubapp.txt");

        Assert.Multiple(() =>
        {
            Assert.That(pull.Succeeded, Is.True, pull.ToString());
            Assert.That(run.Succeeded, Is.True, run.ToString());
        });
    }

    [Test]
    [Order(4)]
    public async Task UnconfiguredRegistry_IsRefusedAndNeverContacted()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var target = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        using var client = new HttpClient { BaseAddress = _mirror.Url };

        var answers = new List<(HttpStatusCode, string?)>();
        foreach (var path in new[] { $"/v2/org/app/manifests/1.0?ns={target}", $"/v2/{target}/org/app/manifests/1.0", "/v2/latest/meta-data/manifests/x?ns=169.254.169.254" })
        {
            using var response = await client.GetAsync(path);
            answers.Add((response.StatusCode, await OciErrors.CodeOf(response)));
        }

        Assert.Multiple(() =>
        {
            Assert.That(answers, Is.All.EqualTo((HttpStatusCode.NotFound, "NAME_UNKNOWN")));
            Assert.That(listener.Pending(), Is.False, "the mirror opened no connection to the host a client named");
        });
    }

    [Test]
    [Order(5)]
    public async Task OneRegistryDown_ItsCachedImagesStillPull_AndTheOthersAreUnaffected()
    {
        _private.Kill();

        var cached = await Podman.PullAsync(_directory.Combine("podman-outage"), Harbor, $"{_mirror.Url.Authority}/{Harbor}", $"{Harbor}/org/tool:1.0", insecure: true);
        var hosts = await ContainerdHosts.WriteAsync(_directory.Combine("ctr-outage"), _mirror.Url);
        var other = await _docker.CtrAsync("images", "pull", "--hosts-dir", hosts, "docker.io/library/later:1.0");

        Assert.Multiple(() =>
        {
            Assert.That(cached.Succeeded, Is.True, $"{cached}\nmirror:\n{_mirror.Output}");
            Assert.That(other.Succeeded, Is.True, other.ToString());
            Assert.That(_mirror.Output, Does.Match(@"GET harbor\.test/org/tool manifest 1\.0 200 \d+B [0-9.]+ms stale"), "served as last known");
        });
    }
}
