using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mirror.Cache.Buckets;
using S3Bucket = Mirror.Cache.Buckets.S3Bucket;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// The store with a bucket, on radosgw: a blob is uploaded in parts while it is written, and appears in the
/// bucket only when the commit completes the upload after the digest verified; a mismatch, or a bucket that
/// cannot be reached, leaves nothing in the bucket and nothing committed locally; a node that lacks a blob
/// copies it back from the bucket, verified.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class S3StoreTests() : RadosGatewayFixture("store")
{
    private const int PartSize = 5 * 1024 * 1024;

    private S3Bucket _store = null!;

    [SetUp]
    public void CreateStore()
    {
        _store = new S3Bucket(Options.Create(Configured(Gateway, BucketName)), TimeProvider.System, NullLogger<S3Bucket>.Instance);
    }

    [TearDown]
    public void DisposeBucket() => _store.Dispose();

    /// <summary>The options <c>storage.s3</c> gives for this endpoint: path-style, plain HTTP, parts of 5 MiB, under <c>mirror/</c>.</summary>
    public static BucketOptions Configured(RadosGateway gateway, string bucket) => new()
    {
        Bucket = bucket,
        Region = RadosGateway.Region,
        RegionEndpoint = gateway.Url,
        ForcePathStyle = true,
        Secure = false,
        AccessKey = RadosGateway.AccessKey,
        SecretKey = RadosGateway.SecretKey,
        RootDirectory = "mirror",
        ChunkSize = PartSize,
        RequestTimeout = TimeSpan.FromSeconds(5),
    };

    [Test]
    public async Task CommitAsync_BlobOfThreeParts_InvisibleUntilTheCommitThenWholeInTheBucket()
    {
        using var store = NewStore("node");
        var content = RandomNumberGenerator.GetBytes((2 * PartSize) + 1234);
        var digest = Digest.Compute(content);
        using var writer = store.Blobs.TryCreateWriter(digest)!;
        Write(writer, content);

        // Both whole parts go up while the blob is written: the upload is under way, no object yet.
        await Eventually.TrueAsync(
            () => Gateway.Requests.Count(r => r.StartsWith($"PUT /{BucketName}/mirror/blobs/", StringComparison.Ordinal) && r.Contains("partNumber=", StringComparison.Ordinal)) == 2,
            "two parts uploaded before the commit",
            seen: () => string.Join('\n', Gateway.Requests));
        var before = await StatusOfAsync(_store.KeyOf(digest, manifest: false));
        Assert.That(writer.Verify(content.Length), Is.EqualTo(CommitResult.Committed));

        var committed = await store.Blobs.CommitAsync(writer, CancellationToken.None);

        var head = await Client.GetObjectMetadataAsync(BucketName, _store.KeyOf(digest, manifest: false));
        Assert.Multiple(async () =>
        {
            Assert.That(before, Is.EqualTo(HttpStatusCode.NotFound), "an upload under way is not an object");
            Assert.That(committed, Is.EqualTo(CommitResult.Committed));
            Assert.That(head.ETag, Does.EndWith("-3\""), "three parts");
            Assert.That(await GetAsync(_store.KeyOf(digest, manifest: false)), Is.EqualTo(content));
            Assert.That(store.ContainsBlob(digest), Is.True, "committed locally too");
        });
    }

    [Test]
    public async Task Dispose_WrittenBytesAreNotTheDigest_AbortsTheUploadAndLeavesNothing()
    {
        using var store = NewStore("node");
        var content = RandomNumberGenerator.GetBytes(PartSize + 10);
        var claimed = Digest.Compute(RandomNumberGenerator.GetBytes(16));
        using (var writer = store.Blobs.TryCreateWriter(claimed)!)
        {
            Write(writer, content);
            await Eventually.TrueAsync(async () => (await UploadsAsync()).Count == 1, "the first part's upload started", seen: () => string.Join('\n', Gateway.Requests));
            Assert.That(writer.Verify(content.Length), Is.EqualTo(CommitResult.DigestMismatch));
        }

        await Eventually.TrueAsync(async () => (await UploadsAsync()).Count == 0, "the upload is aborted", seen: () => string.Join('\n', Gateway.Requests));
        var objects = await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = BucketName });
        Assert.Multiple(() =>
        {
            Assert.That(objects.S3Objects, Is.Null.Or.Empty, "nothing under the digest, nor anywhere");
            Assert.That(store.ContainsBlob(claimed), Is.False);
            Assert.That(Gateway.Requests, Has.Some.Match($"^DELETE /{BucketName}/mirror/blobs/\\S+uploadId=\\S+ 204$"));
        });
    }

    [Test]
    public async Task CommitAsync_BucketStopped_StoreFaultAndNothingCommittedAnywhere()
    {
        using var store = NewStore("node");
        var content = RandomNumberGenerator.GetBytes(300_000);
        var digest = Digest.Compute(content);
        CommitResult committed;
        Gateway.StopRadosGateway();
        try
        {
            using var writer = store.Blobs.TryCreateWriter(digest)!;
            Write(writer, content);
            Assert.That(writer.Verify(content.Length), Is.EqualTo(CommitResult.Committed));
            committed = await store.Blobs.CommitAsync(writer, CancellationToken.None);
        }
        finally
        {
            await Gateway.StartRadosGatewayAsync();
        }

        Assert.Multiple(async () =>
        {
            Assert.That(committed, Is.EqualTo(CommitResult.StoreFault));
            Assert.That(store.ContainsBlob(digest), Is.False, "nothing local that the bucket lacks");
            Assert.That(await StatusOfAsync(_store.KeyOf(digest, manifest: false)), Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task TryRestoreAsync_AnotherNodesBlob_CopiedFromTheBucketVerifiedAndLeased()
    {
        using var filling = NewStore("filling");
        using var empty = NewStore("empty");
        var content = RandomNumberGenerator.GetBytes(PartSize + 77);
        var digest = filling.CommitBlob(content);

        var missing = empty.Blobs.TryOpen(digest);
        using var restored = await empty.Blobs.TryRestoreAsync(digest, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(missing, Is.Null, "the empty node did not hold it");
            Assert.That(restored, Is.Not.Null);
            Assert.That(File.ReadAllBytes(restored!.Path), Is.EqualTo(content));
            Assert.That(Gateway.Requests, Has.Some.StartsWith($"GET /{BucketName}/mirror/blobs/sha256/{digest.Hex[..2]}/{digest.Hex} 200"));
        });
    }

    [Test]
    public async Task TryRestoreAsync_ObjectIsNotTheDigest_NothingStored()
    {
        using var empty = NewStore("empty");
        var digest = Digest.Compute(RandomNumberGenerator.GetBytes(100));
        using (var body = new MemoryStream(RandomNumberGenerator.GetBytes(100)))
        {
            await Client.PutObjectAsync(new PutObjectRequest { BucketName = BucketName, Key = _store.KeyOf(digest, manifest: false), InputStream = body });
        }

        using var restored = await empty.Blobs.TryRestoreAsync(digest, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(restored, Is.Null);
            Assert.That(empty.ContainsBlob(digest), Is.False);
        });
    }

    [Test]
    public async Task ListAsync_CommittedBlob_ListedWithItsDigestAndLength()
    {
        using var store = NewStore("node");
        var content = RandomNumberGenerator.GetBytes(4321);
        var digest = store.CommitBlob(content);

        var listed = await _store.ListAsync(CancellationToken.None).ToListAsync();

        Assert.That(listed.Select(o => (o.IsManifest, o.Digest, o.Length)), Is.EqualTo(new[] { (false, digest, 4321L) }));
    }

    [Test]
    public async Task ManifestStore_StoredByOneNode_FoundByAnotherFromTheBucketWithItsType()
    {
        using var filling = NewStore("filling");
        using var empty = NewStore("empty");
        var content = System.Text.Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciManifest + "\",\"layers\":[]}");
        var digest = Digest.Compute(content);

        var stored = await filling.Manifests.StoreAsync(digest, MediaTypes.OciManifest, content, CancellationToken.None);
        var found = await empty.Manifests.TryFindAsync(digest, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(stored, Is.EqualTo(CommitResult.Committed));
            Assert.That(found?.MediaType, Is.EqualTo(MediaTypes.OciManifest));
            Assert.That(found?.Content.ToArray(), Is.EqualTo(content));
            Assert.That(Gateway.Requests, Has.Some.StartsWith($"GET /{BucketName}/mirror/manifests/sha256/{digest.Hex[..2]}/{digest.Hex} 200"));
        });
    }

    private TestStore NewStore(string node) =>
        new(Workspace.Combine(BucketName, node), new EvictionOptions(), TimeProvider.System, bucket: _store);

    private static void Write(BlobWriter writer, byte[] content)
    {
        for (var offset = 0; offset < content.Length; offset += 1 << 20)
        {
            var chunk = content.AsSpan(offset, Math.Min(1 << 20, content.Length - offset));
            writer.Hash(chunk);
            writer.Append(chunk);
        }
    }

    private async Task<List<MultipartUpload>> UploadsAsync() =>
        (await Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = BucketName })).MultipartUploads ?? [];

    private async Task<byte[]> GetAsync(string key)
    {
        using var response = await Client.GetObjectAsync(BucketName, key);
        using var body = new MemoryStream();
        await response.ResponseStream.CopyToAsync(body);
        return body.ToArray();
    }

    private async Task<HttpStatusCode> StatusOfAsync(string key)
    {
        try
        {
            return (await Client.GetObjectMetadataAsync(BucketName, key)).HttpStatusCode;
        }
        catch (AmazonS3Exception ex)
        {
            return ex.StatusCode;
        }
    }
}
