using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// Two nodes on one Redis and one bucket, each with a local directory of its own: what one node fetched, the
/// other serves warm from the bucket (its disk empty), with no upstream request, copied back and verified.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class S3ClusterTests
{
    private const string Repository = "library/shared";

    private TestDirectory _directory = null!;
    private RedisServer _redis = null!;
    private UpstreamRegistry _upstream = null!;
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
        _gateway = await RadosGateway.StartAsync(_directory.Combine("ceph"));
        _s3 = _gateway.CreateClient();
        _bucket = $"cluster-{Guid.NewGuid():N}";
        await _gateway.CreateBucketAsync(_bucket, CancellationToken.None);
        _first = await StartNodeAsync(1);
        _second = await StartNodeAsync(2);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _second?.Dispose();
        _first?.Dispose();
        _s3?.Dispose();
        _gateway?.Dispose();
        _upstream?.Dispose();
        _redis?.Dispose();
        _directory?.Dispose();
    }

    [Test]
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

    private string LocalPath(int node, Digest digest) => Path.Combine(_directory.Combine($"local{node}"), "blobs", "sha256", digest.Hex[..2], digest.Hex);

    private Task<MirrorProcess> StartNodeAsync(int node) =>
        MirrorProcess.StartAsync(
            _directory.Combine($"node{node}"),
            _upstream.Url,
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
                redirect:
                  disable: true
                """);

    private async Task<HttpStatusCode> StatusOfAsync(Digest digest)
    {
        try
        {
            return (await _s3.GetObjectMetadataAsync(_bucket, $"blobs/sha256/{digest.Hex[..2]}/{digest.Hex}")).HttpStatusCode;
        }
        catch (AmazonS3Exception ex)
        {
            return ex.StatusCode;
        }
    }
}
