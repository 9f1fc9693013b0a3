using System.Text.RegularExpressions;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// What operators rely on daily, with real processes: pulls keep working while the upstream and its token
/// service are down, a re-pointed tag is seen at once while the old digest still pulls, and a store grown
/// past its budget ends under it with the most recently pulled image intact.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed partial class OutageTests
{
    private TestDirectory _directory = null!;

    [SetUp]
    public void SetUp() => _directory = new TestDirectory();

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [Test]
    public async Task UpstreamAndTokenServiceDown_PreviouslyPulledImagesPullAndRunAgain()
    {
        var tokens = await TokenService.StartAsync();
        var upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), tokens);
        var single = TestImage.Single("library/alpha", "latest", oci: false, TestImage.Busybox(), TestImage.FileLayer("alpha.txt", 5000, 1));
        var list = TestImage.Multi("library/beta", "1.0", oci: true, TestImage.Busybox(), TestImage.FileLayer("beta.txt", 6000, 2));
        await upstream.PushAsync(single, tokens);
        await upstream.PushAsync(list, tokens);
        using var mirror = await MirrorProcess.StartAsync(_directory.Combine("mirror"), upstream.Url);
        using var docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), mirror.Url);
        foreach (var image in new[] { single, list })
        {
            var pull = await docker.DockerAsync("pull", image.DockerName);
            Assert.That(pull.Succeeded, Is.True, pull.ToString());
        }

        upstream.Kill();
        upstream.Dispose();
        await tokens.DisposeAsync();
        Assert.That((await docker.DockerAsync("rmi", single.DockerName, list.DockerName)).Succeeded, Is.True);

        var again = await Task.WhenAll(new[] { single, list }.Select(image => docker.DockerAsync("pull", image.DockerName)));
        var run = await docker.DockerAsync("run", "--rm", "--network", "none", single.DockerName, "/bin/busybox", "echo", "served while the upstream is down");

        Assert.Multiple(() =>
        {
            Assert.That(again.Select(p => p.Succeeded), Is.All.True, string.Join('\n', again.Select(p => p.ToString())));
            Assert.That(run.Output, Does.Contain("served while the upstream is down"), run.ToString());
            Assert.That(mirror.Output, Does.Contain("its last known digest"));
        });
    }

    [Test]
    public async Task TagRepointedUpstream_NextPullGetsTheNewImageAndTheOldDigestStillPulls()
    {
        using var upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), tokens: null);
        var first = TestImage.Single("library/moving", "latest", oci: false, TestImage.FileLayer("v1.txt", 3000, 10));
        var second = TestImage.Single("library/moving", "latest", oci: false, TestImage.FileLayer("v2.txt", 3000, 11));
        await upstream.PushAsync(first, tokens: null);
        using var mirror = await MirrorProcess.StartAsync(_directory.Combine("mirror"), upstream.Url);
        using var docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), mirror.Url);

        Assert.That((await docker.DockerAsync("pull", first.DockerName)).Succeeded, Is.True);
        var firstId = await ImageIdAsync(docker, first.DockerName);
        await upstream.PushAsync(second, tokens: null);
        var repull = await docker.DockerAsync("pull", second.DockerName);
        var secondId = await ImageIdAsync(docker, second.DockerName);
        Assert.That((await docker.DockerAsync("rmi", "-f", firstId, secondId)).Succeeded, Is.True);
        var byDigest = await docker.DockerAsync("pull", $"moving@{first.Manifest.Digest}");

        Assert.Multiple(async () =>
        {
            Assert.That(repull.Succeeded, Is.True, repull.ToString());
            Assert.That(secondId, Is.Not.EqualTo(firstId), "the re-pointed tag is seen at once");
            Assert.That(secondId, Does.Contain(ConfigDigest(second)));
            Assert.That(byDigest.Succeeded, Is.True, byDigest.ToString());
            Assert.That(await ImageIdAsync(docker, $"moving@{first.Manifest.Digest}"), Is.EqualTo(firstId));
        });
    }

    [Test]
    public async Task StoreFilledPastMaxSize_EndsUnderItWithTheNewestImageIntact()
    {
        const long budget = 6_000_000;
        using var upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), tokens: null);
        var images = Enumerable.Range(0, 5)
            .Select(i => TestImage.Single($"library/big{i}", "latest", oci: false, TestImage.FileLayer("big.bin", 2_000_000, 100 + i)))
            .ToList();
        foreach (var image in images)
        {
            await upstream.PushAsync(image, tokens: null);
        }

        using var mirror = await MirrorProcess.StartAsync(_directory.Combine("mirror"), upstream.Url, extraYaml: $"mirror:\n  maxsize: {budget}B\n");
        using var docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), mirror.Url);
        foreach (var image in images)
        {
            var pull = await docker.DockerAsync("pull", image.DockerName);
            Assert.That(pull.Succeeded, Is.True, pull.ToString());
        }

        var storeBytes = await WaitForStoreBytesAsync(mirror, budget);
        var newest = images[^1];
        Assert.That((await docker.DockerAsync("rmi", newest.DockerName)).Succeeded, Is.True);
        var before = upstream.Requests.Count;
        var repull = await docker.DockerAsync("pull", newest.DockerName);

        Assert.Multiple(() =>
        {
            Assert.That(storeBytes, Is.LessThanOrEqualTo(budget), "the sweep brought the store under mirror.maxsize");
            Assert.That(repull.Succeeded, Is.True, repull.ToString());
            Assert.That(upstream.BlobGets(before), Is.Zero, "the most recently pulled image was served whole from the store");
            Assert.That(mirror.Output, Does.Contain("for the size budget"));
        });
    }

    private static async Task<long> WaitForStoreBytesAsync(MirrorProcess mirror, long atMost)
    {
        using var client = new HttpClient { BaseAddress = mirror.Url };
        var bytes = await Eventually.ValueAsync(
            async () => long.Parse(StoreBytes().Match(await client.GetStringAsync("/metrics")).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            stored => stored <= atMost,
            $"the store's bytes gauge comes down to {atMost}",
            interval: TimeSpan.FromMilliseconds(100));

        // The index's count must be what is on disk.
        var onDisk = new[] { "blobs", "manifests" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(mirror.Store, d), "*", SearchOption.AllDirectories))
            .Where(f => !f.EndsWith(".type", StringComparison.Ordinal))
            .Sum(f => new FileInfo(f).Length);
        Assert.That(onDisk, Is.EqualTo(bytes));
        return bytes;
    }

    private static async Task<string> ImageIdAsync(DockerDaemon docker, string name) =>
        (await docker.DockerAsync("image", "inspect", "--format", "{{.Id}}", name)).Output.Trim();

    private static string ConfigDigest(TestImage image) => image.Blobs[0].Digest.Hex;

    [GeneratedRegex(@"mirror_store_bytes\{[^}]*\} (\d+)")]
    private static partial Regex StoreBytes();
}
