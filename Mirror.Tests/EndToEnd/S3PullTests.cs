using Amazon.S3;
using Amazon.S3.Model;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// dockerd pulling through the mirror with <c>storage.s3</c> on radosgw (all real processes on 127.0.0.1): the
/// first pull stores every blob and manifest in the bucket; after the node lost its local blobs (stopped, its
/// <c>blobs/</c> removed, started again on the same port) the second pull is served from the bucket, by 307s
/// to presigned URLs that dockerd follows, or (<c>storage.redirect.disable: true</c>) copied back through the
/// mirror, with no blob requested upstream (the upstream's own log says so).
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class S3PullTests
{
    private readonly TestImage _image = TestImage.Single("library/bucketed", "latest", oci: false, TestImage.Busybox(), TestImage.FileLayer("etc/big.bin", 6 * 1024 * 1024, 7));

    private TestDirectory _directory = null!;
    private TokenService _tokens = null!;
    private UpstreamRegistry _upstream = null!;
    private RadosGateway _gateway = null!;
    private AmazonS3Client _s3 = null!;
    private DockerDaemon _docker = null!;
    private int _port;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _tokens = await TokenService.StartAsync();
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), _tokens);
        await _upstream.PushAsync(_image, _tokens);
        _gateway = await RadosGateway.StartAsync(_directory.Combine("ceph"));
        _s3 = _gateway.CreateClient();
        _port = FreePort.Next();
        _docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), new Uri($"http://127.0.0.1:{_port}"));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _docker?.Dispose();
        _s3?.Dispose();
        _gateway?.Dispose();
        _upstream?.Dispose();
        if (_tokens is not null)
        {
            await _tokens.DisposeAsync();
        }

        _directory?.Dispose();
    }

    [TearDown]
    public async Task RemoveImageAsync() => await _docker.DockerAsync("rmi", "-f", _image.DockerName);

    [Test]
    public async Task DockerPull_S3WithRedirects_StoresInTheBucketThenRepullsByRedirectWithoutUpstreamBlobGets()
    {
        var bucket = await NewBucketAsync();
        var local = _directory.Combine(bucket, "local");
        using (var first = await StartMirrorAsync(bucket, local, redirect: true))
        {
            await PullAsync(first);
        }

        var stored = await KeysAsync(bucket);
        Directory.Delete(Path.Combine(local, "blobs"), recursive: true);
        var before = _upstream.Requests.Count;
        var bucketBefore = _gateway.Requests.Count;
        await RemoveImageAsync();
        using var second = await StartMirrorAsync(bucket, local, redirect: true);

        await PullAsync(second);

        var presignedGets = _gateway.Requests.Skip(bucketBefore).Where(r => r.StartsWith($"GET /{bucket}/mirror/blobs/", StringComparison.Ordinal) && r.Contains("X-Amz-Signature=", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(stored, Is.SupersetOf(_image.Blobs.Select(b => BlobKey(b)).Append(ManifestKey(_image.Manifest))), "the first pull stored blobs and manifest");
            Assert.That(_upstream.BlobGets(before), Is.Zero, "no blob from the upstream:\n" + string.Join('\n', _upstream.Requests.Skip(before)));
            Assert.That(presignedGets.Select(r => r.Split(' ')[1].Split('?')[0]), Is.SupersetOf(_image.Blobs.Select(b => "/" + bucket + "/" + BlobKey(b))), "dockerd fetched each blob from the bucket by a presigned URL");
            Assert.That(presignedGets, Has.All.EndsWith(" 200"));
            Assert.That(Directory.Exists(Path.Combine(local, "blobs")) ? Directory.EnumerateFiles(Path.Combine(local, "blobs"), "*", SearchOption.AllDirectories) : [], Is.Empty, "the redirects carried no bytes through the node");
        });
    }

    [Test]
    public async Task DockerPull_S3RedirectDisabled_RepullsThroughTheMirrorFromTheBucketWithoutUpstreamBlobGets()
    {
        var bucket = await NewBucketAsync();
        var local = _directory.Combine(bucket, "local");
        using (var first = await StartMirrorAsync(bucket, local, redirect: false))
        {
            await PullAsync(first);
        }

        Directory.Delete(Path.Combine(local, "blobs"), recursive: true);
        var (lsExit, lsOutput, _) = await GatewayProcess.RunAsync(["ls", _directory.Combine(bucket, "mirror", "config.yml")], CephCluster.Environment.ToDictionary());
        var before = _upstream.Requests.Count;
        var bucketBefore = _gateway.Requests.Count;
        await RemoveImageAsync();
        using var second = await StartMirrorAsync(bucket, local, redirect: false);

        await PullAsync(second);

        var mirrorGets = _gateway.Requests.Skip(bucketBefore).Where(r => r.StartsWith($"GET /{bucket}/mirror/blobs/", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(_upstream.BlobGets(before), Is.Zero, "no blob from the upstream:\n" + string.Join('\n', _upstream.Requests.Skip(before)));
            Assert.That(mirrorGets.Select(r => r.Split(' ')[1]), Is.SupersetOf(_image.Blobs.Select(b => "/" + bucket + "/" + BlobKey(b))), "the mirror read each blob from the bucket");
            Assert.That(mirrorGets, Has.None.Contains("X-Amz-Signature="), "no redirect");
            Assert.That(lsExit, Is.Zero, lsOutput);
            Assert.That(lsOutput, Does.Contain($"Bucket: {_image.Blobs.Count} blobs, 1 manifests").And.Contain($"{_image.Blobs.Count} of them not in the local directory"), "ls lists the bucket");
            Assert.That(_image.Blobs.Select(b => File.Exists(Path.Combine(local, "blobs", "sha256", b.Digest.Hex[..2], b.Digest.Hex))), Has.All.True, "copied back into the local cache");
        });
    }

    [Test]
    public async Task Ls_SingleNodeWithAnEmptyLocalDirectory_ListsTheBucketsManifestByDigest()
    {
        var bucket = await NewBucketAsync();
        using (var first = await StartMirrorAsync(bucket, _directory.Combine(bucket, "local"), redirect: false))
        {
            await PullAsync(first);
        }

        var empty = _directory.Combine(bucket, "empty-local");
        Directory.CreateDirectory(empty);
        var environment = CephCluster.Environment.ToDictionary();
        environment["REGISTRY_MIRROR_LOCALDIRECTORY"] = empty;

        var (exitCode, output, table) = await GatewayProcess.RunAsync(["ls", _directory.Combine(bucket, "mirror", "config.yml")], environment);

        var line = table.Split('\n').FirstOrDefault(l => l.Contains(_image.Manifest.Digest.ToString(), StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(line, Does.StartWith("(by digest)"), "the image, though no tag of it is known without the node's metadata:\n" + table);
            Assert.That(table, Does.Contain("(by digest): 1 images in the bucket"));
        });
    }

    private async Task<string> NewBucketAsync()
    {
        var bucket = $"pull-{Guid.NewGuid():N}";
        await _gateway.CreateBucketAsync(bucket, CancellationToken.None);
        return bucket;
    }

    private Task<MirrorProcess> StartMirrorAsync(string bucket, string local, bool redirect) =>
        MirrorProcess.StartAsync(
            _directory.Combine(bucket, "mirror"),
            _upstream.Url,
            MirrorProcess.Credentials(TokenService.PullUser, TokenService.PullPassword),
            extraYaml: $"mirror:\n  localdirectory: {local}",
            port: _port,
            environment: CephCluster.Environment.ToDictionary(),
            storageYaml: $"""
                s3:
                  region: {RadosGateway.Region}
                  regionendpoint: {_gateway.Url}
                  forcepathstyle: true
                  secure: false
                  bucket: {bucket}
                  rootdirectory: /mirror
                  accesskey: {RadosGateway.AccessKey}
                  secretkey: {RadosGateway.SecretKey}
                  chunksize: 5MiB
                redirect:
                  disable: {(!redirect).ToString().ToLowerInvariant()}
                """);

    private async Task PullAsync(MirrorProcess mirror)
    {
        var pull = await _docker.DockerAsync("pull", _image.DockerName);
        Assert.That(pull.Succeeded, Is.True, $"{pull}\nmirror:\n{mirror.Output}");
    }

    private async Task<List<string>> KeysAsync(string bucket) =>
        (await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects?.Select(o => o.Key).ToList() ?? [];

    private static string BlobKey(ImageBlob blob) => $"mirror/blobs/sha256/{blob.Digest.Hex[..2]}/{blob.Digest.Hex}";

    private static string ManifestKey(ImageBlob manifest) => $"mirror/manifests/sha256/{manifest.Digest.Hex[..2]}/{manifest.Digest.Hex}";
}
