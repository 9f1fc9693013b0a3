using System.Text.Json;
using Microsoft.Extensions.Options;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// Watched images end to end, all real processes on 127.0.0.1: Debian's docker-registry as the upstream, the
/// mirror from its build output watching a tag and pinning a repository, and dockerd as the client. A tag
/// moved upstream is in the store before any client asks, and dockerd's pull of it then sends no blob request
/// upstream (the upstream's own request log says so); under a size budget, watched (the image and its
/// rollback) and pinned content stay while the budget removes everything else.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class WatchEndToEndTests
{
    /// <summary>The mirror's size budget: above the pinned and watched content (about 450 kB), below it with any other image.</summary>
    private const long MaxSize = 600_000;

    private readonly TestImage _v1 = TestImage.Multi("library/watched", "1", oci: false, TestImage.FileLayer("watched/v1.bin", 150_000, 11));
    private readonly TestImage _v2 = TestImage.Multi("library/watched", "1", oci: false, TestImage.FileLayer("watched/v2.bin", 150_000, 12));
    private readonly TestImage _pinned = TestImage.Single("library/pinned", "1", oci: false, TestImage.FileLayer("pinned.bin", 150_000, 13));
    private readonly TestImage[] _others = [.. Enumerable.Range(0, 3).Select(i => TestImage.Single($"library/other{i}", "1", oci: false, TestImage.FileLayer($"other{i}.bin", 200_000, 20 + i)))];

    private TestDirectory _directory = null!;
    private UpstreamRegistry _upstream = null!;
    private MirrorProcess _mirror = null!;
    private DockerDaemon _docker = null!;
    private HttpClient _client = null!;
    private StoreLayout _store = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), null);
        foreach (var image in (TestImage[])[_v1, _pinned, .. _others])
        {
            await _upstream.PushAsync(image, null);
        }

        _mirror = await MirrorProcess.StartAsync(_directory.Combine("mirror"), _upstream.Url, extraYaml: $"""
            mirror:
              maxsize: {MaxSize}
              watch:
                - image: watched:1
                  interval: 1s
              pin: [pinned]
            """);
        _store = new StoreLayout(Options.Create(new StoreOptions { RootDirectory = _mirror.Store }));
        _docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), _mirror.Url);
        _client = new HttpClient { BaseAddress = _mirror.Url, Timeout = TimeSpan.FromMinutes(1) };
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _client?.Dispose();
        _docker?.Dispose();
        _mirror?.Dispose();
        _upstream?.Dispose();
        _directory?.Dispose();
    }

    [Test]
    [Order(1)]
    public async Task WatchedTagMovedUpstream_IsStoredBeforeAnyClientAsks_DockerPullSendsNoBlobRequestUpstream()
    {
        await WatchedAsync(_v1.Manifest.Digest, "the first image of the tag, fetched at start");
        await _upstream.PushAsync(_v2, null);
        var moved = await WatchedAsync(_v2.Manifest.Digest, "the tag's move, fetched by the watcher");
        var since = _upstream.Requests.Count;

        var pull = await _docker.DockerAsync("pull", _v2.DockerName);

        Assert.Multiple(() =>
        {
            Assert.That(pull.Succeeded, Is.True, $"{pull}\nmirror:\n{_mirror.Output}");
            Assert.That(_upstream.BlobGets(since), Is.Zero, string.Join('\n', _upstream.Requests.Skip(since)));
            Assert.That(moved.GetProperty("previous").GetString(), Is.EqualTo(_v1.Manifest.Digest.ToString()), "where the tag pointed before its move");
            Assert.That(moved.GetProperty("lastMove").ValueKind, Is.EqualTo(JsonValueKind.String));
            Assert.That(_mirror.Output, Does.Contain($"Watched library/watched:1 points at {_v2.Manifest.Digest}: 2 manifests and 2 blobs fetched"));
        });
    }

    [Test]
    [Order(2)]
    public async Task SizeBudget_RemovesEverythingElse_WatchedImageItsRollbackAndPinnedContentStay()
    {
        await WatchedAsync(_v2.Manifest.Digest, "the watched tag's image");
        await PullAsync(_pinned);
        foreach (var other in _others)
        {
            await PullAsync(other);
        }

        var kept = new[] { _v1.Children[0], _v2.Children[0] }
            .SelectMany(platform => JsonDocument.Parse(platform.Content).RootElement.GetProperty("layers").EnumerateArray().Select(l => Digest.Parse(l.GetProperty("digest").GetString()!)))
            .Concat(_pinned.Blobs.Select(b => b.Digest))
            .ToList();
        var removed = _others.SelectMany(o => o.Blobs.Skip(1)).Select(b => b.Digest).ToList();
        await Eventually.TrueAsync(
            () => removed.All(d => !File.Exists(_store.PathOf(ContentKind.Blob, d))),
            "the budget removed every other image's layers",
            seen: () => _mirror.Output);

        Assert.Multiple(() =>
        {
            Assert.That(kept.Where(d => !File.Exists(_store.PathOf(ContentKind.Blob, d))), Is.Empty, "watched (now and before the move) and pinned layers stay");
            Assert.That(File.Exists(_store.PathOf(ContentKind.Manifest, _v1.Manifest.Digest)) && File.Exists(_store.PathOf(ContentKind.Manifest, _v2.Manifest.Digest)), Is.True);
            Assert.That(File.Exists(_store.PathOf(ContentKind.Manifest, _pinned.Manifest.Digest)), Is.True);
            Assert.That(_mirror.Output, Does.Not.Contain("over mirror.maxsize"), "the pins alone fit the budget");
        });
    }

    [Test]
    [Order(3)]
    public async Task Ls_BesideTheRunningMirror_MarksWatchedAndPinnedImagesPinned_AndNoOther()
    {
        var (exitCode, output, json) = await GatewayProcess.RunAsync(["ls", "--json", _directory.Combine("mirror", "config.yml")]);
        var images = JsonDocument.Parse(json).RootElement.GetProperty("repositories").EnumerateArray()
            .SelectMany(r => r.GetProperty("images").EnumerateArray().Select(i => (Repository: r.GetProperty("name").GetString(), Digest: i.GetProperty("digest").GetString(), Pinned: i.GetProperty("pinned").GetBoolean())))
            .ToList();

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(images.Where(i => i.Pinned).Select(i => i.Digest), Is.EquivalentTo(new[] { _v1.Manifest.Digest, _v2.Manifest.Digest, _pinned.Manifest.Digest }.Select(d => d.ToString())), output);
            Assert.That(images.Where(i => i.Repository!.StartsWith("library/other", StringComparison.Ordinal)).Select(i => i.Pinned), Is.Not.Empty.And.All.False);
        });
    }

    /// <summary>The watched tag's state on /status.json once it points at <paramref name="digest"/> and that image is wholly in the store.</summary>
    private Task<JsonElement> WatchedAsync(Digest digest, string fact) =>
        Eventually.ValueAsync(
            async () => JsonDocument.Parse(await _client.GetStringAsync("/status.json")).RootElement.GetProperty("watch").GetProperty("tags")[0].Clone(),
            tag => tag.GetProperty("digest").GetString() == digest.ToString() && tag.GetProperty("inStore").GetBoolean(),
            fact,
            timeout: TimeSpan.FromSeconds(60),
            seen: () => _mirror.Output);

    /// <summary>Pulls a single-platform image through the mirror as a client does: its manifest by tag, then each blob.</summary>
    private async Task PullAsync(TestImage image)
    {
        using var manifest = new HttpRequestMessage(HttpMethod.Get, $"/v2/{image.Repository}/manifests/{image.Tag}");
        manifest.Headers.Accept.ParseAdd(MediaTypes.DockerManifest);
        using (var response = await _client.SendAsync(manifest))
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200), $"{image.DockerName}: {await response.Content.ReadAsStringAsync()}");
        }

        foreach (var blob in image.Blobs)
        {
            Assert.That(await _client.GetByteArrayAsync($"/v2/{image.Repository}/blobs/{blob.Digest}"), Has.Length.EqualTo(blob.Content.Length));
        }
    }
}
