using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Mirror.Cache.Blobs;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// Two nodes on one Redis and one bucket, each with a local directory of its own: what one node fetched, the
/// other serves warm from the bucket (its disk empty), with no upstream request, copied back and verified; a
/// cold blob asked of both is fetched once, the other node streaming it from the filling node (signed with
/// http.secret, refused without); and the filling node killed mid-upload leaves no object, the other node
/// taking the fill over and putting the blob in the bucket. The upstream is behind a throttling proxy.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class S3ClusterTests
{
    private const string Repository = "library/shared";
    private const string Secret = "s3-cluster-test-secret-0123456789abcdef";

    private TestDirectory _directory = null!;
    private RedisServer _redis = null!;
    private UpstreamRegistry _upstream = null!;
    private FaultProxy _throttle = null!;
    private RadosGateway _gateway = null!;
    private AmazonS3Client _s3 = null!;
    private string _bucket = null!;
    private MirrorProcess _first = null!;
    private MirrorProcess _second = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _redis = await RedisServer.StartAsync();
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), tokens: null);
        _throttle = FaultProxy.Start(_upstream.Url);
        _gateway = await RadosGateway.StartAsync(_directory.Combine("ceph"));
        _s3 = _gateway.CreateClient();
        _bucket = $"cluster-{Guid.NewGuid():N}";
        await _gateway.CreateBucketAsync(_bucket, CancellationToken.None);
        _first = await StartNodeAsync(1);
        _second = await StartNodeAsync(2);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _second?.Dispose();
        _first?.Dispose();
        if (_throttle is not null)
        {
            await _throttle.DisposeAsync();
        }

        _s3?.Dispose();
        _gateway?.Dispose();
        _upstream?.Dispose();
        _redis?.Dispose();
        _directory?.Dispose();
    }

    [Test]
    [Order(1)]
    public async Task SecondNodeWithAnEmptyDisk_ServesWhatTheFirstFetched_FromTheBucketWithoutUpstreamGets()
    {
        var blob = new ImageBlob(RandomNumberGenerator.GetBytes((5 * 1024 * 1024) + 999), "application/octet-stream");
        await _upstream.PushBlobAsync(Repository, blob);
        using var client = new HttpClient();
        var fromFirst = await client.GetByteArrayAsync(new Uri(_first.Url, $"/v2/{Repository}/blobs/{blob.Digest}"));
        await Eventually.TrueAsync(async () => await StatusOfAsync(blob.Digest) == HttpStatusCode.OK, "the first node stored the blob in the bucket", seen: () => _first.Output);
        var local = LocalPath(2, blob.Digest);
        var before = File.Exists(local);

        var fromSecond = await client.GetByteArrayAsync(new Uri(_second.Url, $"/v2/{Repository}/blobs/{blob.Digest}"));

        Assert.Multiple(() =>
        {
            Assert.That(Digest.Compute(fromFirst), Is.EqualTo(blob.Digest));
            Assert.That(Digest.Compute(fromSecond), Is.EqualTo(blob.Digest));
            Assert.That(before, Is.False, "the second node's disk did not hold it");
            Assert.That(File.Exists(local), Is.True, "copied back from the bucket");
            Assert.That(_upstream.Gets(blob.Digest), Is.EqualTo(1), "one upstream GET, by the first node");
            Assert.That(_gateway.Requests, Has.Some.StartsWith($"GET /{_bucket}/blobs/sha256/{blob.Digest.Hex[..2]}/{blob.Digest.Hex} 200"));
        });
    }

    [Test]
    [Order(2)]
    public async Task TenColdGetsAcrossNodesWithTheirOwnDirectories_OneUpstreamGet_EveryBodyVerifies()
    {
        var blob = await PushBlobAsync((6 * 1024 * 1024) + 7);
        _throttle.BytesPerSecond = 4 * 1024 * 1024;
        try
        {
            using var client = new HttpClient();
            var bodies = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => GetAsync(client, i % 2 == 0 ? _first : _second, blob.Digest)));
            await Eventually.TrueAsync(async () => await StatusOfAsync(blob.Digest) == HttpStatusCode.OK, "the filling node put the blob in the bucket", seen: Outputs);

            Assert.Multiple(() =>
            {
                Assert.That(bodies, Is.All.EqualTo(blob.Digest), Outputs());
                Assert.That(_upstream.Gets(blob.Digest), Is.EqualTo(1), "one upstream GET for both nodes' clients:\n" + string.Join('\n', _upstream.Requests));
            });
        }
        finally
        {
            _throttle.Reset();
        }
    }

    [Test]
    [Order(3)]
    public async Task FillRequestFromANode_AnsweredOnlyWhenSignedWithTheSecret()
    {
        var blob = await PushBlobAsync(300_000);
        using var client = new HttpClient();
        Assert.That(await GetAsync(client, _first, blob.Digest), Is.EqualTo(blob.Digest));
        var now = DateTimeOffset.UtcNow;
        var subject = FillPeerOptions.Subject(null, blob.Digest);

        var unsigned = await AskFillAsync(client, blob.Digest, null);
        var wrongSecret = await AskFillAsync(client, blob.Digest, NodeSignature.Sign("not-the-cluster-secret-0123456789abcdef", subject, now));
        var stale = await AskFillAsync(client, blob.Digest, NodeSignature.Sign(Secret, subject, now.AddMinutes(-5)));
        var otherDigest = await AskFillAsync(client, blob.Digest, NodeSignature.Sign(Secret, FillPeerOptions.Subject(null, Digest.Compute([1, 2, 3])), now));
        var signed = await AskFillAsync(client, blob.Digest, NodeSignature.Sign(Secret, subject, now));

        Assert.Multiple(() =>
        {
            Assert.That(unsigned.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(unsigned.Body, Does.Contain("\"code\":\"UNAUTHORIZED\""));
            Assert.That(wrongSecret.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(stale.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(otherDigest.Status, Is.EqualTo(HttpStatusCode.Unauthorized), "a signature grants its own digest only");
            Assert.That(signed.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(signed.Digest, Is.EqualTo(blob.Digest), "the bytes, to a node that signs");
        });
    }

    [Test]
    [Order(4)]
    public async Task Ls_NodeWithAnEmptyLocalDirectory_ListsTheBucketsImageWithItsTagFromRedis()
    {
        var image = TestImage.Single("library/listed", "2.0", oci: true, TestImage.FileLayer("etc/listed.txt", 150_000, 43));
        await _upstream.PushAsync(image, null);
        await PullThroughFirstAsync(image);
        await Eventually.TrueAsync(async () => await ManifestStatusAsync(image.Manifest.Digest) == HttpStatusCode.OK, "the first node put the manifest in the bucket", seen: () => _first.Output);
        var empty = _directory.Combine("empty-local");
        Directory.CreateDirectory(empty);
        var environment = CephCluster.Environment.ToDictionary();
        environment["REGISTRY_MIRROR_LOCALDIRECTORY"] = empty;

        var (exitCode, output, table) = await GatewayProcess.RunAsync(["ls", _directory.Combine("node2", "config.yml")], environment);
        var (_, _, json) = await GatewayProcess.RunAsync(["ls", "--json", _directory.Combine("node2", "config.yml")], environment);

        var line = table.Split('\n').FirstOrDefault(l => l.Contains(image.Manifest.Digest.ToString(), StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(line, Does.StartWith("library/listed").And.Contain("2.0"), table);
            Assert.That(Directory.EnumerateFiles(empty, "*", SearchOption.AllDirectories), Is.Empty, "the local directory holds nothing");
            Assert.That(json, Does.Contain("\"name\": \"library/listed\"").And.Contain(image.Manifest.Digest.ToString()));
        });
    }

    [Test]
    [Order(4)]
    public async Task VerifyAndGc_OnTheBucket_RemoveTheCorruptObjectAndTheBlobsNoManifestNames()
    {
        var image = TestImage.Single("library/collected", "1.0", oci: true, TestImage.FileLayer("etc/kept.txt", 200_000, 41));
        await _upstream.PushAsync(image, null);
        using var client = new HttpClient();
        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_first.Url, $"/v2/{image.Repository}/manifests/{image.Tag}")))
        {
            request.Headers.Accept.ParseAdd(MediaTypes.OciManifest);
            using var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), _first.Output);
        }

        foreach (var blob in image.Blobs)
        {
            Assert.That(Digest.Compute(await client.GetByteArrayAsync(new Uri(_first.Url, $"/v2/{image.Repository}/blobs/{blob.Digest}"))), Is.EqualTo(blob.Digest));
        }

        var kept = image.Blobs.Select(b => b.Digest).ToList();
        await Eventually.TrueAsync(async () => (await Task.WhenAll(kept.Select(StatusOfAsync))).All(s => s == HttpStatusCode.OK), "the image's blobs are in the bucket", seen: Outputs);
        var corrupt = Digest.Compute(RandomNumberGenerator.GetBytes(1000));
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = BlobKey(corrupt), InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(1000)) });
        var unnamed = RandomNumberGenerator.GetBytes(3000);
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = BlobKey(Digest.Compute(unnamed)), InputStream = new MemoryStream(unnamed) });
        var config = _directory.Combine("node2", "config.yml");

        var verify = await GatewayProcess.RunAsync(["verify", config], CephCluster.Environment.ToDictionary());
        var afterVerify = (Corrupt: await StatusOfAsync(corrupt), Unnamed: await StatusOfAsync(Digest.Compute(unnamed)));
        var gc = await GatewayProcess.RunAsync(["gc", config, "--older-than", "0s"], CephCluster.Environment.ToDictionary());
        var afterGc = (Unnamed: await StatusOfAsync(Digest.Compute(unnamed)), Kept: await Task.WhenAll(kept.Select(StatusOfAsync)), Manifest: await ManifestStatusAsync(image.Manifest.Digest));

        Assert.Multiple(() =>
        {
            Assert.That(verify.ExitCode, Is.EqualTo(3), verify.Output);
            Assert.That(verify.Output, Does.Contain($"removed blob {corrupt} from the bucket"));
            Assert.That(afterVerify, Is.EqualTo((HttpStatusCode.NotFound, HttpStatusCode.OK)), "verify removed the corrupt object only");
            Assert.That(gc.ExitCode, Is.Zero, gc.Output);
            Assert.That(gc.Output, Does.Contain($"removed blob {Digest.Compute(unnamed)} from the bucket"));
            Assert.That(afterGc.Unnamed, Is.EqualTo(HttpStatusCode.NotFound), "gc removed the blob no manifest names");
            Assert.That(afterGc.Kept, Is.All.EqualTo(HttpStatusCode.OK), "the image's blobs stay");
            Assert.That(afterGc.Manifest, Is.EqualTo(HttpStatusCode.OK), "manifests stay");
        });
    }

    [Test]
    [Order(5)]
    public async Task FillerKilledMidUpload_LeavesNoObject_AndTheOtherNodeCompletesTheFill()
    {
        var blob = await PushBlobAsync(16 * 1024 * 1024);
        _throttle.BytesPerSecond = 2 * 1024 * 1024;
        var before = _throttle.Forwarded;
        var nodes = new[] { _first, _second };
        using var client = new HttpClient();
        var pulls = Enumerable.Range(0, 6).Select(i => (Node: i % 2, Body: GetAsync(client, nodes[i % 2], blob.Digest))).ToList();

        var filler = await FillerAsync(blob.Digest);
        var key = $"/{_bucket}/blobs/sha256/{blob.Digest.Hex[..2]}/{blob.Digest.Hex}";
        await Eventually.TrueAsync(() => _gateway.Requests.Any(r => r.StartsWith($"PUT {key}?", StringComparison.Ordinal) && r.Contains("partNumber=1", StringComparison.Ordinal)), "the filler uploaded its first part", TimeSpan.FromSeconds(30), seen: () => string.Join('\n', _gateway.Requests));
        nodes[filler].Kill();
        TestContext.Out.WriteLine($"{DateTime.UtcNow:O} killed node-{filler + 1} after {_throttle.Forwarded - before} bytes");
        var atKill = await StatusOfAsync(blob.Digest);

        var survivors = await Task.WhenAll(pulls.Where(p => p.Node != filler).Select(p => p.Body));
        _throttle.Reset();
        await Eventually.TrueAsync(async () => await StatusOfAsync(blob.Digest) == HttpStatusCode.OK, "the other node put the blob in the bucket", seen: Outputs);
        using var stored = await _s3.GetObjectAsync(_bucket, key[(_bucket.Length + 2)..]);
        using var content = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(content);

        Assert.Multiple(() =>
        {
            Assert.That(atKill, Is.EqualTo(HttpStatusCode.NotFound), "nothing under the digest while the upload was incomplete");
            Assert.That(survivors, Is.All.EqualTo(blob.Digest), Outputs());
            Assert.That(nodes[1 - filler].Output, Does.Contain($"Streaming the fill of {blob.Digest} from {nodes[filler].Url}"), "the other node streamed from the filler");
            Assert.That(nodes[1 - filler].Output, Does.Contain("took over the fill of " + blob.Digest), "the other node took the fill over");
            Assert.That(Digest.Compute(content.ToArray()), Is.EqualTo(blob.Digest), "the bucket's object is the blob");
        });
    }

    private async Task PullThroughFirstAsync(TestImage image)
    {
        using var client = new HttpClient();
        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_first.Url, $"/v2/{image.Repository}/manifests/{image.Tag}")))
        {
            request.Headers.Accept.ParseAdd(MediaTypes.OciManifest);
            using var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), _first.Output);
        }

        foreach (var blob in image.Blobs)
        {
            Assert.That(Digest.Compute(await client.GetByteArrayAsync(new Uri(_first.Url, $"/v2/{image.Repository}/blobs/{blob.Digest}"))), Is.EqualTo(blob.Digest));
        }
    }

    private string LocalPath(int node, Digest digest) => Path.Combine(_directory.Combine($"local{node}"), "blobs", "sha256", digest.Hex[..2], digest.Hex);

    private Task<MirrorProcess> StartNodeAsync(int node) =>
        MirrorProcess.StartAsync(
            _directory.Combine($"node{node}"),
            _throttle.Url,
            httpYaml: $"secret: {Secret}",
            extraYaml: $"redis:\n  addr: {_redis.Address}\nmirror:\n  localdirectory: {_directory.Combine($"local{node}")}\n  cluster:\n    node: node-{node}",
            environment: CephCluster.Environment.ToDictionary(),
            storageYaml: $"""
                s3:
                  region: {RadosGateway.Region}
                  regionendpoint: {_gateway.Url}
                  forcepathstyle: true
                  secure: false
                  bucket: {_bucket}
                  accesskey: {RadosGateway.AccessKey}
                  secretkey: {RadosGateway.SecretKey}
                  chunksize: 5242880
                redirect:
                  disable: true
                """);

    private async Task<ImageBlob> PushBlobAsync(int size)
    {
        var blob = new ImageBlob(RandomNumberGenerator.GetBytes(size), "application/octet-stream");
        await _upstream.PushBlobAsync(Repository, blob);
        return blob;
    }

    /// <summary>GETs the blob from one node and hashes what came; none for a failed or cut body.</summary>
    private static async Task<Digest?> GetAsync(HttpClient client, MirrorProcess node, Digest digest)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            using var response = await client.GetAsync(new Uri(node.Url, $"/v2/{Repository}/blobs/{digest}"), HttpCompletionOption.ResponseHeadersRead, bound.Token);
            return response.IsSuccessStatusCode ? Digest.Compute(await response.Content.ReadAsByteArrayAsync(bound.Token)) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Asks the first node for its fill of <paramref name="digest"/> as another node would, with <paramref name="authorization"/>.</summary>
    private async Task<(HttpStatusCode Status, string Body, Digest Digest)> AskFillAsync(HttpClient client, Digest digest, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_first.Url, $"/_mirror/fills/{digest}?from=0"));
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        return (response.StatusCode, System.Text.Encoding.UTF8.GetString(body), Digest.Compute(body));
    }

    private async Task<int> FillerAsync(Digest digest)
    {
        var holder = -1;
        await Eventually.TrueAsync(
            () =>
            {
                holder = _first.Output.Contains($"won the fill of {digest}", StringComparison.Ordinal) ? 0
                    : _second.Output.Contains($"won the fill of {digest}", StringComparison.Ordinal) ? 1 : -1;
                return holder >= 0;
            },
            "a node holds the fill's lease",
            TimeSpan.FromSeconds(30));
        return holder;
    }

    private string Outputs() => _first.Output + "\n----\n" + _second.Output;

    private static string BlobKey(Digest digest) => $"blobs/sha256/{digest.Hex[..2]}/{digest.Hex}";

    private async Task<HttpStatusCode> ManifestStatusAsync(Digest digest)
    {
        try
        {
            return (await _s3.GetObjectMetadataAsync(_bucket, $"manifests/sha256/{digest.Hex[..2]}/{digest.Hex}")).HttpStatusCode;
        }
        catch (AmazonS3Exception ex)
        {
            return ex.StatusCode;
        }
    }

    private async Task<HttpStatusCode> StatusOfAsync(Digest digest)
    {
        try
        {
            return (await _s3.GetObjectMetadataAsync(_bucket, BlobKey(digest))).HttpStatusCode;
        }
        catch (AmazonS3Exception ex)
        {
            return ex.StatusCode;
        }
    }
}
