using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Mirror.Cache.Protocol;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// The bucket failing under a real mirror process (radosgw stopped, or restarted in the middle of a fill):
/// clients still get the verified blob from the upstream, the bucket never shows anything partial under a
/// digest, and what could not be stored is stored at a later fill.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class S3FaultTests
{
    private const string Repository = "library/faults";

    private TestDirectory _directory = null!;
    private UpstreamRegistry _upstream = null!;
    private FaultProxy _proxy = null!;
    private RadosGateway _gateway = null!;
    private AmazonS3Client _s3 = null!;
    private MirrorProcess _mirror = null!;
    private HttpClient _client = null!;
    private string _bucket = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), tokens: null);
        _proxy = FaultProxy.Start(_upstream.Url);
        _gateway = await RadosGateway.StartAsync(_directory.Combine("ceph"));
        _s3 = _gateway.CreateClient();
        _bucket = $"faults-{Guid.NewGuid():N}";
        await _gateway.CreateBucketAsync(_bucket, CancellationToken.None);
        _mirror = await MirrorProcess.StartAsync(
            _directory.Combine("mirror"),
            _proxy.Url,
            extraYaml: $"mirror:\n  localdirectory: {_directory.Combine("local")}",
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
                  chunksize: 5MiB
                redirect:
                  disable: true
                """);
        _client = new HttpClient { BaseAddress = _mirror.Url };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client?.Dispose();
        _mirror?.Dispose();
        _s3?.Dispose();
        _gateway?.Dispose();
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        _upstream?.Dispose();
        _directory?.Dispose();
    }

    [SetUp]
    public void ResetFaults() => _proxy.Reset();

    [Test]
    public async Task RadosgwRestartedMidFill_ClientGetsTheBlobAndTheBucketHoldsItWhole()
    {
        var blob = await PushAsync(12 * 1024 * 1024);
        _proxy.BytesPerSecond = 4 * 1024 * 1024;
        var key = KeyOf(blob.Digest);

        var download = _client.GetByteArrayAsync(BlobPath(blob));
        await Eventually.TrueAsync(
            () => _gateway.Requests.Any(r => r.StartsWith($"PUT /{_bucket}/{key}?", StringComparison.Ordinal) && r.Contains("partNumber=1", StringComparison.Ordinal)),
            "the first part is in the bucket while the fill goes on",
            seen: () => string.Join('\n', _gateway.Requests));
        await _gateway.RestartRadosGatewayAsync();
        var body = await download;

        await Eventually.TrueAsync(async () => await StatusOfAsync(key) == HttpStatusCode.OK, "the blob is stored in the bucket", seen: () => _mirror.Output);
        Assert.Multiple(async () =>
        {
            Assert.That(Digest.Compute(body), Is.EqualTo(blob.Digest), "the client got the verified blob");
            Assert.That(Digest.Compute(await GetAsync(key)), Is.EqualTo(blob.Digest), "the bucket's object is the whole blob");
            Assert.That((await _s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = _bucket })).MultipartUploads, Is.Null.Or.Empty);
            Assert.That(_upstream.Gets(blob.Digest), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RadosgwStopped_ServedFromTheUpstreamNothingStoredThenStoredAtTheNextFill()
    {
        var blob = await PushAsync(300_000);
        var key = KeyOf(blob.Digest);
        byte[] whileDown;
        _gateway.StopRadosGateway();
        try
        {
            whileDown = await _client.GetByteArrayAsync(BlobPath(blob));
            await Eventually.TrueAsync(
                () => _mirror.Output.Contains($"The bucket could not store {blob.Digest}", StringComparison.Ordinal),
                "the mirror says it could not store the blob",
                seen: () => _mirror.Output);
        }
        finally
        {
            await _gateway.StartRadosGatewayAsync();
        }

        var absent = await StatusOfAsync(key);
        var again = await _client.GetByteArrayAsync(BlobPath(blob));

        // The upload completes first, then the local rename: both are waited for.
        var local = Path.Combine(_directory.Combine("local"), "blobs", "sha256", blob.Digest.Hex[..2], blob.Digest.Hex);
        await Eventually.TrueAsync(async () => await StatusOfAsync(key) == HttpStatusCode.OK && File.Exists(local), "the next fill stores it, in the bucket and then locally", seen: () => _mirror.Output);
        Assert.Multiple(() =>
        {
            Assert.That(Digest.Compute(whileDown), Is.EqualTo(blob.Digest), "served while the bucket was down");
            Assert.That(absent, Is.EqualTo(HttpStatusCode.NotFound), "nothing in the bucket");
            Assert.That(Digest.Compute(again), Is.EqualTo(blob.Digest));
            Assert.That(_upstream.Gets(blob.Digest), Is.EqualTo(2), "not kept, so fetched again");
        });
    }

    private static string BlobPath(ImageBlob blob) => $"/v2/{Repository}/blobs/{blob.Digest}";

    private static string KeyOf(Digest digest) => $"blobs/sha256/{digest.Hex[..2]}/{digest.Hex}";

    private async Task<ImageBlob> PushAsync(int size)
    {
        var blob = new ImageBlob(RandomNumberGenerator.GetBytes(size), "application/octet-stream");
        await _upstream.PushBlobAsync(Repository, blob);
        return blob;
    }

    private async Task<byte[]> GetAsync(string key)
    {
        using var response = await _s3.GetObjectAsync(_bucket, key);
        using var body = new MemoryStream();
        await response.ResponseStream.CopyToAsync(body);
        return body.ToArray();
    }

    private async Task<HttpStatusCode> StatusOfAsync(string key)
    {
        try
        {
            return (await _s3.GetObjectMetadataAsync(_bucket, key)).HttpStatusCode;
        }
        catch (AmazonS3Exception ex)
        {
            return ex.StatusCode;
        }
    }
}
