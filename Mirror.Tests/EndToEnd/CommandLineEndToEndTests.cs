using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// The operator's commands against real mirrors and their stores, each run as the built executable while
/// its mirror serves the same store: Debian's docker-registry upstream behind the suite's token service,
/// a real dockerd pulling. prefetch warms images (all platforms or one) so that a docker pull makes no
/// upstream request, through Basic and Bearer authentication and a host path; ls lists what a pull left;
/// verify finds a flipped byte, removes it, and the next pull fetches it again; gc lists, then removes.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed partial class CommandLineEndToEndTests
{
    private const string BasicUser = "operator";
    private const string BasicPassword = "operator-password-5e1d";
    private static readonly ImageBlob Busybox = TestImage.Busybox();

    private readonly TestImage _warm = TestImage.Multi("library/warm", "latest", oci: false, Busybox, TestImage.FileLayer("etc/warm.txt", 3000, 31));
    private readonly TestImage _platforms = TestImage.Multi("library/platforms", "v1", oci: true, TestImage.FileLayer("etc/amd64.txt", 5000, 32));
    private readonly TestImage _rotting = TestImage.Single("library/rotting", "latest", oci: false, Busybox, TestImage.FileLayer("etc/rot.txt", 65536, 33));
    private readonly TestImage _listed = TestImage.Single("library/listed", "1.0", oci: true, Busybox, TestImage.FileLayer("etc/listed.txt", 2000, 34));
    private readonly TestImage _hosted = TestImage.Single("owner/app", "1.0", oci: true, TestImage.FileLayer("app/data.bin", 4000, 35));
    private readonly TestImage _public = TestImage.Single("library/webapp", "latest", oci: false, TestImage.FileLayer("etc/web.txt", 2048, 36));
    private readonly TestImage _private = TestImage.Single("private/alice-app", "latest", oci: false, TestImage.FileLayer("etc/alice.txt", 4096, 37));
    private readonly TestImage _collected = TestImage.Single("library/collected", "latest", oci: false, TestImage.FileLayer("etc/big.bin", 200_000, 38), TestImage.FileLayer("etc/small.bin", 3000, 39));

    private TestDirectory _directory = null!;
    private TokenService _tokens = null!;
    private UpstreamRegistry _upstream = null!;
    private MirrorProcess _mirror = null!;
    private MirrorProcess _basicMirror = null!;
    private MirrorProcess _tokenMirror = null!;
    private MirrorProcess _gcMirror = null!;
    private DockerDaemon _docker = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _tokens = await TokenService.StartAsync();
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), _tokens);
        foreach (var image in new[] { _warm, _platforms, _rotting, _listed, _hosted, _public, _private, _collected })
        {
            await _upstream.PushAsync(image, _tokens);
        }

        var htpasswd = await Command.RunAsync("htpasswd", ["-nbB", BasicUser, BasicPassword]);
        Assert.That(htpasswd.Succeeded, Is.True, htpasswd.ToString());
        var htpasswdFile = _directory.Combine("htpasswd");
        await File.WriteAllTextAsync(htpasswdFile, htpasswd.Output.Trim() + "\n");

        var credentials = MirrorProcess.Credentials(TokenService.PullUser, TokenService.PullPassword);
        var mirrors = await Task.WhenAll(
            // Tags checked within 10 minutes are served without asking: a pull after a prefetch asks the upstream nothing.
            MirrorProcess.StartAsync(_directory.Combine("mirror"), _upstream.Url, credentials, "mirror:\n  tagttl: 10m"),
            MirrorProcess.StartAsync(_directory.Combine("basic-mirror"), _upstream.Url, credentials,
                $"auth:\n  htpasswd:\n    realm: mirror\n    path: {htpasswdFile}\nmirror:\n  upstreams:\n    registry.test:\n      remoteurl: {_upstream.Url}"),
            MirrorProcess.StartAsync(_directory.Combine("token-mirror"), _upstream.Url, credentials, "auth:\n  upstream:\n    ttl: 2m"),
            MirrorProcess.StartAsync(_directory.Combine("gc-mirror"), _upstream.Url, credentials));
        (_mirror, _basicMirror, _tokenMirror, _gcMirror) = (mirrors[0], mirrors[1], mirrors[2], mirrors[3]);
        _docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), _mirror.Url);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _docker?.Dispose();
        foreach (var mirror in new[] { _mirror, _basicMirror, _tokenMirror, _gcMirror })
        {
            mirror?.Dispose();
        }

        _upstream?.Dispose();
        if (_tokens is not null)
        {
            await _tokens.DisposeAsync();
        }

        _directory?.Dispose();
    }

    [Test]
    public async Task Prefetch_EveryPlatform_ThenDockerPullMakesNoUpstreamRequest()
    {
        var (exitCode, output, _) = await PrefetchAsync(_mirror, [_warm.DockerName]);

        Assert.That(exitCode, Is.Zero, output);
        var before = _upstream.Requests.Count;
        var pull = await _docker.DockerAsync("pull", _warm.DockerName);
        var upstreamDuringPull = _upstream.Requests.Skip(before).ToList();
        var (againExit, again, _) = await PrefetchAsync(_mirror, [_warm.DockerName]);

        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Contain($"{_warm.DockerName}: 5 blobs for linux/amd64, linux/arm64"));
            Assert.That(output, Does.Contain($"{_warm.DockerName}: done: "));
            Assert.That(output, Does.Contain("Prefetched 1 of 1 images"));
            Assert.That(_warm.Children.Concat(_warm.Blobs).Where(b => _upstream.Gets(b.Digest) == 0).Select(b => b.Digest), Is.Empty, "every platform's manifest and blobs were fetched");
            Assert.That(pull.Succeeded, Is.True, pull.ToString());
            Assert.That(upstreamDuringPull, Is.Empty, "the pull after the prefetch was served from the store alone");
            Assert.That(againExit, Is.Zero, again);
            Assert.That(again, Does.Contain("0 B fetched").And.Contain("already cached"), "a second prefetch finds everything stored");
        });
    }

    [Test]
    public async Task Prefetch_OnePlatform_FetchesOnlyItsManifestAndBlobs_AsLsShows()
    {
        var (exitCode, output, _) = await PrefetchAsync(_mirror, ["--platform", "linux/arm64", "docker.io/library/platforms:v1"]);
        var (lsExit, _, json) = await GatewayProcess.RunAsync(["ls", "--json", MirrorConfig(_mirror)]);

        using var listing = JsonDocument.Parse(json);
        var image = Repository(listing, _platforms.Repository).GetProperty("images")[0];
        var platforms = image.GetProperty("platforms").EnumerateArray().ToDictionary(p => p.GetProperty("platform").GetString()!, p => p.GetProperty("stored").GetBoolean());
        var (amd64, arm64) = (_platforms.Children[0], _platforms.Children[1]);
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(_upstream.Gets(arm64.Digest), Is.EqualTo(1));
            Assert.That(_platforms.Blobs.Skip(2).Select(b => _upstream.Gets(b.Digest)), Is.All.EqualTo(1), "arm64's config and layer");
            Assert.That(_upstream.Gets(amd64.Digest), Is.Zero, "amd64's manifest was not asked for");
            Assert.That(_platforms.Blobs.Take(2).Select(b => _upstream.Gets(b.Digest)), Is.All.Zero, "nor its config and layer");
            Assert.That(lsExit, Is.Zero, json);
            Assert.That(platforms, Is.EquivalentTo(new Dictionary<string, bool> { ["linux/amd64"] = false, ["linux/arm64"] = true }));
        });
    }

    [Test]
    public async Task Ls_AfterADockerPull_ShowsTheRepositoryTagAndDigest_WhileTheMirrorServes()
    {
        var pull = await _docker.DockerAsync("pull", _listed.DockerName);
        Assert.That(pull.Succeeded, Is.True, pull.ToString());
        await WaitForCommitAsync(_mirror, _listed.Blobs);

        var (exitCode, output, table) = await GatewayProcess.RunAsync(["ls", MirrorConfig(_mirror)]);
        var (_, _, json) = await GatewayProcess.RunAsync(["ls", "--json", MirrorConfig(_mirror)]);

        using var listing = JsonDocument.Parse(json);
        var image = Repository(listing, _listed.Repository).GetProperty("images")[0];
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(table.Split('\n'), Has.Some.Matches<string>(line => line.Contains(_listed.Repository, StringComparison.Ordinal) && line.Contains(" 1.0 ", StringComparison.Ordinal) && line.Contains(_listed.Manifest.Digest.ToString(), StringComparison.Ordinal)), table);
            Assert.That(image.GetProperty("digest").GetString(), Is.EqualTo(_listed.Manifest.Digest.ToString()));
            Assert.That(image.GetProperty("tags").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "1.0" }));
            Assert.That(image.GetProperty("stored").GetBoolean(), Is.True);
            Assert.That(image.GetProperty("size").GetInt64(), Is.EqualTo(_listed.Manifest.Content.Length + _listed.Blobs.Sum(b => (long)b.Content.Length)));
            Assert.That(image.GetProperty("lastPull").ValueKind, Is.EqualTo(JsonValueKind.String));
        });
    }

    [Test]
    public async Task Verify_FindsAFlippedByte_RemovesIt_AndTheNextPullFetchesItAgain()
    {
        var (prefetchExit, prefetched, _) = await PrefetchAsync(_mirror, [_rotting.DockerName]);
        Assert.That(prefetchExit, Is.Zero, prefetched);
        await WaitForCommitAsync(_mirror, _rotting.Blobs);
        var layer = _rotting.Blobs[^1];
        var blobPath = StorePath(_mirror, "blobs", layer.Digest);
        var manifestPath = StorePath(_mirror, "manifests", _rotting.Manifest.Digest);
        FlipByte(blobPath, 30_000);
        FlipByte(manifestPath, 20);
        var getsBefore = _upstream.Gets(layer.Digest);

        var (exitCode, output, _) = await GatewayProcess.RunAsync(["verify", MirrorConfig(_mirror)]);
        var removed = !File.Exists(blobPath) && !File.Exists(manifestPath);
        var pull = await _docker.DockerAsync("pull", _rotting.DockerName);
        await Eventually.TrueAsync(() => File.Exists(blobPath), "the blob fetched again is committed to the store");
        var (againExit, again, _) = await GatewayProcess.RunAsync(["verify", MirrorConfig(_mirror)]);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(3), output);
            Assert.That(output, Does.Contain($"removed blob {layer.Digest}"));
            Assert.That(output, Does.Contain($"removed manifest {_rotting.Manifest.Digest}"));
            Assert.That(output, Does.Contain("2 corrupt, 2 removed"));
            Assert.That(removed, Is.True);
            Assert.That(pull.Succeeded, Is.True, $"{pull}\nmirror:\n{_mirror.Output}");
            Assert.That(_upstream.Gets(layer.Digest), Is.EqualTo(getsBefore + 1), "the removed blob was fetched again");
            Assert.That(Digest.Compute(File.ReadAllBytes(blobPath)), Is.EqualTo(layer.Digest), "and stored right");
            Assert.That(againExit, Is.Zero, again);
            Assert.That(again, Does.Contain("all intact"));
        });
    }

    [Test]
    public async Task Gc_DryRunListsWithoutRemoving_ThenRemovesTheSame_AndTheMirrorFetchesAgain()
    {
        var (prefetchExit, prefetched, _) = await PrefetchAsync(_gcMirror, [_collected.DockerName]);
        Assert.That(prefetchExit, Is.Zero, prefetched);
        await WaitForCommitAsync(_gcMirror, _collected.Blobs);

        // The same store with a budget of 1 KB: past it, everything least recently pulled goes.
        var config = _directory.Combine("gc.yml");
        await File.WriteAllTextAsync(config, $"storage:\n  filesystem:\n    rootdirectory: {_gcMirror.Store}\nmirror:\n  maxsize: 1KB\n");
        var (dryExit, dryOutput, _) = await GatewayProcess.RunAsync(["gc", config, "--dry-run"]);
        var wouldRemove = Removals().Matches(dryOutput).Select(m => (m.Groups[2].Value, Digest.Parse(m.Groups[3].Value))).ToList();
        var allThere = wouldRemove.All(r => File.Exists(StorePath(_gcMirror, r.Item1 + "s", r.Item2)));
        var (exitCode, output, _) = await GatewayProcess.RunAsync(["gc", config]);
        var removed = Removals().Matches(output).Select(m => (m.Groups[2].Value, Digest.Parse(m.Groups[3].Value))).ToList();
        var left = removed.Where(r => File.Exists(StorePath(_gcMirror, r.Item1 + "s", r.Item2))).ToList();

        var big = _collected.Blobs[1];
        var getsBefore = _upstream.Gets(big.Digest);
        using var client = new HttpClient { BaseAddress = _gcMirror.Url };
        var served = await client.GetByteArrayAsync(new Uri($"/v2/{_collected.Repository}/blobs/{big.Digest}", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(dryExit, Is.Zero, dryOutput);
            Assert.That(wouldRemove.Select(r => r.Item2), Does.Contain(big.Digest), dryOutput);
            Assert.That(Regex.IsMatch(dryOutput, "^would remove ", RegexOptions.Multiline), Is.True);
            Assert.That(allThere, Is.True, "a dry run removes nothing");
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(removed, Is.EquivalentTo(wouldRemove), output);
            Assert.That(left, Is.Empty);
            Assert.That(served, Is.EqualTo(big.Content), "the running mirror sees the blob gone and fetches it again");
            Assert.That(_upstream.Gets(big.Digest), Is.EqualTo(getsBefore + 1));
        });
    }

    [Test]
    public async Task Prefetch_ThroughAHostPath_WithABasicLogin_FromTheCommandLineOrDockersConfig()
    {
        var image = $"registry.test/{_hosted.Repository}:{_hosted.Tag}";
        var (anonymousExit, anonymous, _) = await PrefetchAsync(_basicMirror, [image]);
        var (loginExit, login, _) = await PrefetchAsync(_basicMirror, ["--username", BasicUser, "--password", BasicPassword, image]);
        var dockerConfig = _directory.Combine("docker-config");
        Directory.CreateDirectory(dockerConfig);
        await File.WriteAllTextAsync(Path.Combine(dockerConfig, "config.json"),
            $"{{\"auths\":{{\"{_basicMirror.Url.Authority}\":{{\"auth\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BasicUser}:{BasicPassword}"))}\"}}}}}}");
        var (storedExit, stored, _) = await PrefetchAsync(_basicMirror, [image], new Dictionary<string, string?> { ["DOCKER_CONFIG"] = dockerConfig });

        Assert.Multiple(() =>
        {
            Assert.That(anonymousExit, Is.EqualTo(1), anonymous);
            Assert.That(anonymous, Does.Contain("--username"), "says how to log in");
            Assert.That(loginExit, Is.Zero, login);
            Assert.That(_upstream.Requests, Has.Some.StartsWith($"HEAD /v2/{_hosted.Repository}/manifests/{_hosted.Tag}"), "registry.test's name went upstream without its host");
            Assert.That(_hosted.Blobs.Select(b => _upstream.Gets(b.Digest)), Is.All.EqualTo(1));
            Assert.That(storedExit, Is.Zero, stored);
            Assert.That(stored, Does.Contain("0 B fetched"));
        });
    }

    [Test]
    public async Task Prefetch_FollowsTheMirrorsBearerChallenge_AnonymouslyAndWithALogin()
    {
        var (anonymousExit, anonymous, _) = await PrefetchAsync(_tokenMirror, [_public.DockerName]);
        var (aliceExit, alice, _) = await PrefetchAsync(_tokenMirror, ["-u", TokenService.AliceUser, "--password", TokenService.AlicePassword, _private.DockerName]);
        var (bobExit, bob, _) = await PrefetchAsync(_tokenMirror, ["-u", TokenService.BobUser, "--password", TokenService.BobPassword, _private.DockerName]);

        Assert.Multiple(() =>
        {
            Assert.That(anonymousExit, Is.Zero, anonymous);
            Assert.That(aliceExit, Is.Zero, alice);
            Assert.That(_tokens.Log, Has.Some.EqualTo($"{TokenService.AliceUser} repository:{_private.Repository}:pull"), "the mirror's token service asked the upstream's realm with alice's login");
            Assert.That(bobExit, Is.EqualTo(1), bob);
            Assert.That(bob, Does.Contain("401"));
        });
    }

    [Test]
    public async Task Prefetch_OnATerminal_DrawsAProgressBarPerImage()
    {
        // script(1) gives the command a terminal of its own, as a person running it would have.
        var command = $"dotnet {GatewayProcess.Dll} prefetch --mirror {_mirror.Url} {_listed.DockerName} {_public.DockerName}";
        using var process = ManagedProcess.Start("script", ["-qefc", command, "/dev/null"], new Dictionary<string, string?>
        {
            ["TERM"] = "xterm-256color",
            ["COLUMNS"] = "120",
            ["CI"] = null,
            ["HTTP_PROXY"] = null,
            ["http_proxy"] = null,
        });
        Assert.That(await process.WaitForExitAsync(TimeSpan.FromMinutes(2)), Is.True, process.Output);

        Assert.Multiple(() =>
        {
            Assert.That(process.ExitCode, Is.Zero, process.Output);
            Assert.That(process.Output, Does.Contain("\u001b["), "drawn with terminal control sequences");
            Assert.That(process.Output, Does.Contain(_listed.DockerName).And.Contain(_public.DockerName));
            Assert.That(process.Output, Does.Contain("100%"));
            Assert.That(process.Output, Does.Not.Contain(": done: "), "no plain progress lines");
            Assert.That(process.Output, Does.Contain("Prefetched 2 of 2 images"));
        });
    }

    private static Task<(int ExitCode, string Output, string StandardOutput)> PrefetchAsync(MirrorProcess mirror, IEnumerable<string> arguments, IDictionary<string, string?>? environment = null) =>
        GatewayProcess.RunAsync(["prefetch", "--mirror", mirror.Url.ToString(), .. arguments], environment ?? new Dictionary<string, string?> { ["DOCKER_CONFIG"] = "/nonexistent" });

    private static string MirrorConfig(MirrorProcess mirror) => Path.Combine(Path.GetDirectoryName(mirror.Store)!, "config.yml");

    private static string StorePath(MirrorProcess mirror, string kind, Digest digest) => Path.Combine(mirror.Store, kind, digest.Algorithm, digest.Hex[..2], digest.Hex);

    /// <summary>
    /// Waits for <paramref name="blobs"/> to be committed to <paramref name="mirror"/>'s store (the file at its
    /// final path: the rename is the commit). A client has its last byte once the fill verified, before the
    /// fill's fsync and rename, so a test that acts on the files right after a pull waits for them.
    /// </summary>
    private static Task WaitForCommitAsync(MirrorProcess mirror, IEnumerable<ImageBlob> blobs) =>
        Eventually.TrueAsync(() => blobs.All(b => File.Exists(StorePath(mirror, "blobs", b.Digest))), "the pulled blobs are committed to the store");

    private static JsonElement Repository(JsonDocument listing, string name) =>
        listing.RootElement.GetProperty("repositories").EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);

    private static void FlipByte(string path, long position)
    {
        using var file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = position;
        var value = file.ReadByte();
        file.Position = position;
        file.WriteByte((byte)(value ^ 0x20));
    }

    [GeneratedRegex(@"^(would remove|removed) (blob|manifest) (sha256:[0-9a-f]{64})", RegexOptions.Multiline)]
    private static partial Regex Removals();
}
