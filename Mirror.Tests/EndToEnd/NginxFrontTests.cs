using System.Net;
using System.Net.Http.Headers;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// The mirror behind Debian's nginx running the shipped <c>deploy/nginx.conf</c> (TLS ends at nginx, warm blobs
/// go out by nginx's sendfile through <c>X-Accel-Redirect</c>), with a real dockerd pulling through nginx and
/// verifying its certificate. What nginx sent, and what the mirror answered it, is read from nginx's own
/// access log, not taken from the mirror's word.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class NginxFrontTests
{
    private static readonly ImageBlob Busybox = TestImage.Busybox();

    private readonly TestImage _image = TestImage.Single("library/behindnginx", "latest", oci: false, Busybox, TestImage.FileLayer("etc/big.bin", 600_000, 21));
    private readonly ImageBlob _cold = TestImage.FileLayer("cold.bin", 300_000, 22);

    private TestDirectory _directory = null!;
    private UpstreamRegistry _upstream = null!;
    private TestCertificates _certificates = null!;
    private MirrorProcess _mirror = null!;
    private NginxFront _nginx = null!;
    private IDisposable _trust = null!;
    private DockerDaemon _docker = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), tokens: null);
        await _upstream.PushAsync(_image, tokens: null);
        await _upstream.PushBlobAsync(_image.Repository, _cold);
        _certificates = TestCertificates.Create(_directory.Combine("certs"));
        _mirror = await MirrorProcess.StartAsync(
            _directory.Combine("mirror"),
            _upstream.Url,
            extraYaml: "mirror:\n  trustedproxies: [127.0.0.1]\n  accel: {header: X-Accel-Redirect, location: /_mirror_store/}");
        _nginx = await NginxFront.StartAsync(_directory.Combine("nginx"), _mirror.Url, _mirror.Store, _certificates);
        _trust = DockerDaemon.Trust(_nginx.Url, _certificates.CaPath);
        _docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), _nginx.Url, insecure: false);
        _client = _certificates.CreateClient();
        _client.BaseAddress = _nginx.Url;
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _client?.Dispose();
        _docker?.Dispose();
        _trust?.Dispose();
        _nginx?.Dispose();
        _mirror?.Dispose();
        _upstream?.Dispose();
        _directory?.Dispose();
    }

    [Test]
    [Order(1)]
    public async Task Docker_PullsThroughNginx_ColdBlobsStreamThrough_WarmOnesAreSentByNginx()
    {
        var cold = await _docker.DockerAsync("pull", _image.DockerName);
        Assert.That(cold.Succeeded, Is.True, $"{cold}\nmirror:\n{_mirror.Output}");
        foreach (var blob in _image.Blobs)
        {
            // The warm pull is sent from the stored files: each must be committed, which follows its last byte.
            await WaitForCommitAsync(blob);
        }

        var removed = await _docker.DockerAsync("rmi", "-f", _image.DockerName);
        Assert.That(removed.Succeeded, Is.True, removed.ToString());

        var warm = await _docker.DockerAsync("pull", _image.DockerName);
        var run = await _docker.DockerAsync("run", "--rm", "--network", "none", _image.DockerName, "/bin/busybox", "echo", "sent by nginx");

        Assert.Multiple(async () =>
        {
            Assert.That(warm.Succeeded, Is.True, $"{warm}\nmirror:\n{_mirror.Output}");
            Assert.That(run.Output, Does.Contain("sent by nginx"), run.ToString());
            foreach (var blob in _image.Blobs)
            {
                var path = $"/blobs/sha256/{blob.Digest.Hex[..2]}/{blob.Digest.Hex}";
                var gets = (await _nginx.WaitForRequestsAsync($"/blobs/{blob.Digest}", 2)).Where(l => l.StartsWith("GET ", StringComparison.Ordinal)).ToList();
                Assert.That(gets, Has.Count.EqualTo(2), $"{blob.Digest}: one GET per pull");

                // Cold: the mirror streamed the fill through nginx. Warm: the mirror answered with the accel
                // header and no body, and nginx sent the whole file from the store.
                Assert.That(gets[0], Does.EndWith($" 200 {blob.Content.Length} accel=- upstream_bytes={blob.Content.Length}"));
                Assert.That(gets[1], Does.EndWith($" 200 {blob.Content.Length} accel=/_mirror_store{path} upstream_bytes=0"));
            }
        });
    }

    [Test]
    public async Task Get_WarmBlobThroughNginx_WholeAndRanged_WithTheRegistryHeaders()
    {
        var layer = _image.Blobs[^1];
        var url = $"/v2/{_image.Repository}/blobs/{layer.Digest}";
        var earlier = _nginx.Requests($"/blobs/{layer.Digest}").Count;
        (await _client.GetAsync(url)).Dispose();
        await WaitForCommitAsync(layer);
        var before = (await _nginx.WaitForRequestsAsync($"/blobs/{layer.Digest}", earlier + 1)).Count;

        using var whole = await _client.GetAsync(url);
        using var ranged = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(100_000, 100_999) } };
        using var part = await _client.SendAsync(ranged);
        using var tail = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(null, 10) } };
        using var last = await _client.SendAsync(tail);

        var lines = (await _nginx.WaitForRequestsAsync($"/blobs/{layer.Digest}", before + 3)).Skip(before).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(whole.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await whole.Content.ReadAsByteArrayAsync(), Is.EqualTo(layer.Content));
            Assert.That(whole.Content.Headers.ContentLength, Is.EqualTo(layer.Content.Length));
            Assert.That(whole.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(layer.Digest.ToString()));
            Assert.That(whole.Headers.ETag?.Tag, Is.EqualTo($"\"{layer.Digest}\""));
            Assert.That(whole.Headers.AcceptRanges, Is.EqualTo(new[] { "bytes" }));
            Assert.That(whole.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }), "the mirror's nosniff, restored across the redirect");
            Assert.That(part.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(part.Content.Headers.ContentRange?.ToString(), Is.EqualTo($"bytes 100000-100999/{layer.Content.Length}"));
            Assert.That(await part.Content.ReadAsByteArrayAsync(), Is.EqualTo(layer.Content[100_000..101_000]));
            Assert.That(part.Headers.GetValues("Docker-Content-Digest").Single(), Is.EqualTo(layer.Digest.ToString()));
            Assert.That(await last.Content.ReadAsByteArrayAsync(), Is.EqualTo(layer.Content[^10..]));
            Assert.That(lines, Has.Count.EqualTo(3).And.All.Contain("accel=/_mirror_store/blobs/sha256/").And.All.EndWith("upstream_bytes=0"), "each sent by nginx:\n" + string.Join('\n', lines));
        });
    }

    [Test]
    public async Task Get_ColdBlobThroughNginx_StreamsFromTheFill()
    {
        using var response = await _client.GetAsync($"/v2/{_image.Repository}/blobs/{_cold.Digest}");

        var lines = await _nginx.WaitForRequestsAsync($"/blobs/{_cold.Digest}", 1);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(_cold.Content));
            Assert.That(response.Headers.GetValues("X-Cache").Single(), Is.EqualTo("MISS"));
            Assert.That(lines.Single(), Does.EndWith($"accel=- upstream_bytes={_cold.Content.Length}"));
        });
    }

    [Test]
    public async Task Get_TheStoreLocationFromOutside_Is404()
    {
        var config = _image.Blobs[0];
        (await _client.GetAsync($"/v2/{_image.Repository}/blobs/{config.Digest}")).Dispose();
        await WaitForCommitAsync(config);

        using var response = await _client.GetAsync($"/_mirror_store/blobs/sha256/{config.Digest.Hex[..2]}/{config.Digest.Hex}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    /// <summary>Waits for the blob's file to be committed in the mirror's store (clients have their last byte just before).</summary>
    private Task WaitForCommitAsync(ImageBlob blob)
    {
        var path = Path.Combine(_mirror.Store, "blobs", "sha256", blob.Digest.Hex[..2], blob.Digest.Hex);
        return Eventually.TrueAsync(() => File.Exists(path), $"{blob.Digest} is committed to the mirror's store");
    }
}
