using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// The S3 endpoint the store will be tested against, through the S3 client the mirror will use: radosgw on a
/// one-OSD memstore cluster stores, lists and returns objects byte for byte, completes multipart uploads and
/// forgets aborted ones, and keeps what it stored (and an upload under way) across a restart of radosgw alone.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class RadosGatewayTests() : RadosGatewayFixture("smoke")
{
    /// <summary>S3's smallest part but the last (radosgw's <c>rgw_multipart_min_part_size</c>).</summary>
    private const int PartSize = 5 * 1024 * 1024;

    [Test]
    public async Task PutObject_ThenListAndGet_ListsItWithItsSizeAndReturnsTheSameBytes()
    {
        var content = RandomNumberGenerator.GetBytes(1024 * 1024 + 17);

        await PutAsync("blobs/one", content);

        var listed = await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = BucketName, Prefix = "blobs/" });
        Assert.Multiple(async () =>
        {
            Assert.That(listed.S3Objects.Select(o => (o.Key, o.Size)), Is.EqualTo(new[] { ("blobs/one", (long?)content.Length) }));
            Assert.That(await GetAsync("blobs/one"), Is.EqualTo(content));
            await Eventually.TrueAsync(() => Gateway.Requests.Contains($"PUT /{BucketName}/blobs/one 200"), "radosgw's log names the PUT", seen: () => string.Join('\n', Gateway.Requests));
        });
    }

    [Test]
    public async Task MultipartUpload_ThreePartsCompleted_InvisibleUntilCompletedThenReadsBackWhole()
    {
        byte[][] parts = [RandomNumberGenerator.GetBytes(PartSize), RandomNumberGenerator.GetBytes(PartSize), RandomNumberGenerator.GetBytes(1000)];
        var upload = await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = BucketName, Key = "blobs/multi" });
        var etags = new List<PartETag>();
        for (var number = 1; number <= parts.Length; number++)
        {
            etags.Add(await UploadPartAsync("blobs/multi", upload.UploadId, number, parts[number - 1]));
        }

        var beforeCompletion = await StatusOfAsync("blobs/multi");
        await Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = BucketName, Key = "blobs/multi", UploadId = upload.UploadId, PartETags = etags });

        // radosgw 16 answers the completion with an empty <ETag>: the object's own (HEAD) has it.
        var completed = await Client.GetObjectMetadataAsync(BucketName, "blobs/multi");
        Assert.Multiple(async () =>
        {
            Assert.That(beforeCompletion, Is.EqualTo(HttpStatusCode.NotFound), "an upload under way is no object yet");
            Assert.That(completed.ETag, Does.EndWith("-3\""), "S3 names a multipart object's ETag after its part count");
            Assert.That(completed.ContentLength, Is.EqualTo(parts.Sum(p => p.Length)));
            Assert.That(await GetAsync("blobs/multi"), Is.EqualTo(parts.SelectMany(p => p).ToArray()));
        });
    }

    [Test]
    public async Task MultipartUpload_Aborted_LeavesNoObjectAndNoUpload()
    {
        var upload = await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = BucketName, Key = "blobs/aborted" });
        await UploadPartAsync("blobs/aborted", upload.UploadId, 1, RandomNumberGenerator.GetBytes(PartSize));
        var uploadsBefore = await Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = BucketName });

        await Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = BucketName, Key = "blobs/aborted", UploadId = upload.UploadId });

        var uploadsAfter = await Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = BucketName });
        var objects = await Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = BucketName });
        Assert.Multiple(async () =>
        {
            Assert.That(uploadsBefore.MultipartUploads.Select(u => u.UploadId), Is.EqualTo(new[] { upload.UploadId }));
            Assert.That(uploadsAfter.MultipartUploads, Is.Null.Or.Empty);
            Assert.That(objects.S3Objects, Is.Null.Or.Empty);
            Assert.That(await StatusOfAsync("blobs/aborted"), Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task RestartRadosGateway_AfterAPut_RefusesWhileStoppedThenServesTheSameBytesOnTheSamePort()
    {
        var content = RandomNumberGenerator.GetBytes(300_000);
        await PutAsync("blobs/kept", content);
        var before = Gateway.ProcessId;

        Gateway.StopRadosGateway();
        using var plain = new HttpClient();
        Assert.ThrowsAsync<HttpRequestException>(() => plain.GetAsync(Gateway.Url), "radosgw is really stopped");
        await Gateway.StartRadosGatewayAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(Gateway.ProcessId, Is.Not.EqualTo(before));
            Assert.That(await GetAsync("blobs/kept"), Is.EqualTo(content));
        });
    }

    [Test]
    public async Task RestartRadosGateway_InTheMiddleOfAMultipartUpload_TheUploadCompletesAfterwards()
    {
        byte[][] parts = [RandomNumberGenerator.GetBytes(PartSize), RandomNumberGenerator.GetBytes(4096)];
        var upload = await Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = BucketName, Key = "blobs/across" });
        var first = await UploadPartAsync("blobs/across", upload.UploadId, 1, parts[0]);

        await Gateway.RestartRadosGatewayAsync();

        var second = await UploadPartAsync("blobs/across", upload.UploadId, 2, parts[1]);
        await Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = BucketName, Key = "blobs/across", UploadId = upload.UploadId, PartETags = [first, second] });
        Assert.That(await GetAsync("blobs/across"), Is.EqualTo(parts.SelectMany(p => p).ToArray()));
    }

    [Test]
    public void StartAsync_Processes_RunWithoutAwsCaBundle()
    {
        var environment = File.ReadAllText($"/proc/{Gateway.ProcessId}/environ").Split('\0');

        Assert.Multiple(() =>
        {
            Assert.That(environment, Has.Some.StartsWith("PATH="), "the environment was read");
            Assert.That(environment, Has.None.StartsWith("AWS_CA_BUNDLE="));
        });
    }

    private async Task PutAsync(string key, byte[] content)
    {
        using var body = new MemoryStream(content);
        await Client.PutObjectAsync(new PutObjectRequest { BucketName = BucketName, Key = key, InputStream = body });
    }

    private async Task<PartETag> UploadPartAsync(string key, string uploadId, int number, byte[] content)
    {
        using var body = new MemoryStream(content);
        var part = await Client.UploadPartAsync(new UploadPartRequest { BucketName = BucketName, Key = key, UploadId = uploadId, PartNumber = number, InputStream = body });
        return new PartETag(number, part.ETag);
    }

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
