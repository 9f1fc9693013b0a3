using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// Real clients pulling through the mirror, all real processes on 127.0.0.1: Debian's docker-registry as the
/// upstream behind the suite's token service (as Docker Hub is behind auth.docker.io), the mirror from its
/// build output with a YAML config, and dockerd, podman and containerd's ctr as clients.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class PullThroughTests
{
    private static readonly ImageBlob Busybox = TestImage.Busybox();

    private readonly TestImage _single = TestImage.Single("library/single", "latest", oci: false, Busybox, TestImage.FileLayer("etc/single.txt", 4096, 1));
    private readonly TestImage _list = TestImage.Multi("library/multi", "latest", oci: false, Busybox, TestImage.FileLayer("etc/multi.txt", 8192, 2));
    private readonly TestImage _index = TestImage.Multi("library/ociindex", "v1", oci: true, [Busybox, .. Enumerable.Range(0, 12).Select(i => TestImage.FileLayer($"layer{i}/data.bin", 2000 + (i * 1000), 100 + i))]);
    private readonly TestImage _private = TestImage.Single("private/secret", "latest", oci: false, Busybox, TestImage.FileLayer("etc/secret.txt", 512, 3));

    private TestDirectory _directory = null!;
    private TokenService _tokens = null!;
    private UpstreamRegistry _upstream = null!;
    private MirrorProcess _mirror = null!;
    private MirrorProcess _anonymousMirror = null!;
    private DockerDaemon _docker = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _tokens = await TokenService.StartAsync();
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), _tokens);
        foreach (var image in new[] { _single, _list, _index, _private })
        {
            await _upstream.PushAsync(image, _tokens);
        }

        _mirror = await MirrorProcess.StartAsync(_directory.Combine("mirror"), _upstream.Url, MirrorProcess.Credentials(TokenService.PullUser, TokenService.PullPassword));
        _anonymousMirror = await MirrorProcess.StartAsync(_directory.Combine("anonymous-mirror"), _upstream.Url);
        _docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), _mirror.Url);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _docker?.Dispose();
        _anonymousMirror?.Dispose();
        _mirror?.Dispose();
        _upstream?.Dispose();
        if (_tokens is not null)
        {
            await _tokens.DisposeAsync();
        }

        _directory?.Dispose();
    }

    [Test]
    [Order(1)]
    public async Task Docker_PullsSingleListAndIndex_RunsAndRepullsFromTheStore()
    {
        var images = new[] { _single, _list, _index };
        foreach (var image in images)
        {
            var pull = await _docker.DockerAsync("pull", image.DockerName);
            Assert.That(pull.Succeeded, Is.True, $"{image.DockerName}: {pull}\nmirror:\n{_mirror.Output}");
        }

        var run = await _docker.DockerAsync("run", "--rm", "--network", "none", _single.DockerName, "/bin/busybox", "echo", "hello from the mirror");
        Assert.That(run.Output, Does.Contain("hello from the mirror"), run.ToString());

        var before = _upstream.Requests.Count;
        var remove = await _docker.DockerAsync(["rmi", "-f", .. images.Select(i => i.DockerName)]);
        Assert.That(remove.Succeeded, Is.True, remove.ToString());
        foreach (var image in images)
        {
            var pull = await _docker.DockerAsync("pull", image.DockerName);
            Assert.That(pull.Succeeded, Is.True, $"second pull of {image.DockerName}: {pull}");
        }

        Assert.Multiple(() =>
        {
            Assert.That(_upstream.BlobGets(before), Is.Zero, "the second pull is served from the store:\n" + string.Join('\n', _upstream.Requests.Skip(before)));
            Assert.That(_upstream.Requests.Skip(before), Has.Some.StartsWith("HEAD /v2/library/single/manifests/latest"), "tags are still checked upstream");
        });
    }

    [Test]
    public async Task Podman_PullsAManifestListThroughTheMirror()
    {
        var pull = await Podman.PullAsync(_directory.Combine("podman"), _mirror.Url.Authority, "docker.io/library/multi:latest", insecure: true);

        // The closed proxy makes podman's fallback to docker.io fail: success means the mirror served it.
        Assert.That(pull.Succeeded, Is.True, pull.ToString());
    }

    [Test]
    public async Task Ctr_PullsAnOciIndexThroughTheMirror()
    {
        var pull = await _docker.CtrAsync("images", "pull", "--hosts-dir", await HostsDirectoryAsync(_mirror, "ctr-hosts"), "docker.io/library/ociindex:v1");

        Assert.That(pull.Succeeded, Is.True, pull.ToString());
        var list = await _docker.CtrAsync("images", "ls", "-q");
        Assert.That(list.Output, Does.Contain("docker.io/library/ociindex:v1"));
    }

    [Test]
    public async Task Private_PullsWithTheMirrorsCredentialsAndNotWithout()
    {
        var withCredentials = await _docker.DockerAsync("pull", _private.DockerName);
        var withoutCredentials = await _docker.CtrAsync("images", "pull", "--hosts-dir", await HostsDirectoryAsync(_anonymousMirror, "anonymous-hosts"), "docker.io/private/secret:latest");

        Assert.Multiple(() =>
        {
            Assert.That(withCredentials.Succeeded, Is.True, withCredentials.ToString());
            Assert.That(withoutCredentials.Succeeded, Is.False, withoutCredentials.ToString());
            Assert.That(_tokens.Log, Has.Some.EqualTo($"{TokenService.PullUser} repository:private/secret:pull"));
            Assert.That(_mirror.Output, Does.Not.Contain(TokenService.PullPassword));
        });
    }

    /// <summary>A containerd hosts directory that sends docker.io pulls to <paramref name="mirror"/> (containerd's hosts.toml).</summary>
    private Task<string> HostsDirectoryAsync(MirrorProcess mirror, string name) => ContainerdHosts.WriteAsync(_directory.Combine(name), mirror.Url);
}
