using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Buckets;

/// <summary>
/// The store's content in an S3 bucket, through AWSSDK.S3 (AWS's own client: SigV4, presigning, multipart,
/// and the SDK's credential chain for instance roles). Keys follow the store's layout under
/// <see cref="BucketOptions.RootDirectory"/>: <c>blobs/&lt;alg&gt;/&lt;2 hex&gt;/&lt;hex&gt;</c> and
/// <c>manifests/...</c>, a manifest's media type as its object's Content-Type.
/// </summary>
internal sealed class S3Bucket : IContentBucket, IDisposable
{
    private readonly string _prefix;
    private readonly TimeProvider _time;

    public S3Bucket(IOptions<BucketOptions> options, TimeProvider time, ILogger<S3Bucket> logger)
    {
        _time = time;
        Options = options.Value;
        Logger = logger;
        _prefix = Options.RootDirectory.Trim('/') is { Length: > 0 } root ? root + "/" : "";
        Client = S3ClientFactory.Create(Options);
    }

    public BucketOptions Options { get; }

    public ILogger Logger { get; }

    public AmazonS3Client Client { get; }

    public bool IsEnabled => true;

    public bool Redirects => Options.Redirect;

    public IBucketUpload? StartUpload(Digest digest, SafeFileHandle file) => new S3Upload(this, digest, file);

    public async Task<long?> LengthOfBlobAsync(Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            var head = await Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Options.Bucket, Key = KeyOf(digest, manifest: false) }, cancellationToken);
            return head.ContentLength;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (IsFault(ex))
        {
            BucketLog.ReadFailed(Logger, digest, "HEAD", ex);
            return null;
        }
    }

    public async Task<Stream?> OpenBlobAsync(Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Client.GetObjectAsync(new GetObjectRequest { BucketName = Options.Bucket, Key = KeyOf(digest, manifest: false) }, cancellationToken);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (IsFault(ex))
        {
            BucketLog.ReadFailed(Logger, digest, "GET", ex);
            return null;
        }
    }

    public async Task<Uri> PresignBlobAsync(Digest digest, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var url = await Client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = Options.Bucket,
            Key = KeyOf(digest, manifest: false),
            Verb = HttpVerb.GET,
            Expires = (_time.GetUtcNow() + Options.PresignLifetime).UtcDateTime,
            Protocol = Options.Secure ? Amazon.S3.Protocol.HTTPS : Amazon.S3.Protocol.HTTP,
        });
        return new Uri(url);
    }

    public async Task<bool> PutManifestAsync(Digest digest, string mediaType, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            using var body = new MemoryStream(content.ToArray(), writable: false);
            var put = Put(KeyOf(digest, manifest: true), body);
            put.ContentType = mediaType;
            await Client.PutObjectAsync(put, cancellationToken);
            return true;
        }
        catch (Exception ex) when (IsFault(ex))
        {
            BucketLog.UploadFailed(Logger, digest, "PUT manifest", ex);
            return false;
        }
    }

    public async Task<(string MediaType, byte[] Content)?> GetManifestAsync(Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Client.GetObjectAsync(new GetObjectRequest { BucketName = Options.Bucket, Key = KeyOf(digest, manifest: true) }, cancellationToken);
            using var content = new MemoryStream();
            await response.ResponseStream.CopyToAsync(content, cancellationToken);
            return (response.Headers.ContentType, content.ToArray());
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (IsFault(ex))
        {
            BucketLog.ReadFailed(Logger, digest, "GET manifest", ex);
            return null;
        }
    }

    public async Task<DateTimeOffset?> WrittenAtAsync(Digest digest, bool manifest, CancellationToken cancellationToken)
    {
        try
        {
            var head = await Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Options.Bucket, Key = KeyOf(digest, manifest) }, cancellationToken);
            return head.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MaxValue;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (IsFault(ex))
        {
            BucketLog.ReadFailed(Logger, digest, "HEAD", ex);
            return DateTimeOffset.MaxValue;
        }
    }

    public async Task<bool> DeleteAsync(Digest digest, bool manifest, CancellationToken cancellationToken)
    {
        try
        {
            await Client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Options.Bucket, Key = KeyOf(digest, manifest) }, cancellationToken);
            return true;
        }
        catch (Exception ex) when (IsFault(ex))
        {
            BucketLog.DeleteFailed(Logger, digest, ex);
            return false;
        }
    }

    public async IAsyncEnumerable<BucketObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Options.Bucket, Prefix = _prefix };
        do
        {
            var page = await Client.ListObjectsV2Async(request, cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                if (ContentOf(item) is { } content)
                {
                    yield return content;
                }
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
        while (request.ContinuationToken is not null);
    }

    public void Dispose() => Client.Dispose();

    /// <summary>The object key of a blob or a manifest.</summary>
    public string KeyOf(Digest digest, bool manifest) =>
        $"{_prefix}{(manifest ? "manifests" : "blobs")}/{digest.Algorithm}/{digest.Hex[..2]}/{digest.Hex}";

    /// <summary>A multipart upload's start, with the bucket's encryption and storage class.</summary>
    public InitiateMultipartUploadRequest Initiate(string key)
    {
        var request = new InitiateMultipartUploadRequest { BucketName = Options.Bucket, Key = key };
        (request.ServerSideEncryptionMethod, request.ServerSideEncryptionKeyManagementServiceKeyId) = Encryption();
        request.StorageClass = StorageClass();
        return request;
    }

    /// <summary>A single PUT, with the bucket's encryption and storage class.</summary>
    public PutObjectRequest Put(string key, Stream body)
    {
        var request = new PutObjectRequest { BucketName = Options.Bucket, Key = key, InputStream = body, AutoCloseStream = false };
        (request.ServerSideEncryptionMethod, request.ServerSideEncryptionKeyManagementServiceKeyId) = Encryption();
        request.StorageClass = StorageClass();
        return request;
    }

    /// <summary>Whether <paramref name="exception"/> is the bucket failing (S3's error, the network, a timeout), not a bug.</summary>
    public static bool IsFault(Exception exception) =>
        exception is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TimeoutException
            || (exception is TaskCanceledException { InnerException: TimeoutException });

    private (ServerSideEncryptionMethod?, string?) Encryption() =>
        !Options.Encrypt ? (null, null)
        : Options.KeyId is { } key ? (ServerSideEncryptionMethod.AWSKMS, key)
        : (ServerSideEncryptionMethod.AES256, null);

    private S3StorageClass? StorageClass() =>
        string.Equals(Options.StorageClass, "NONE", StringComparison.OrdinalIgnoreCase) ? null : S3StorageClass.FindValue(Options.StorageClass);

    private BucketObject? ContentOf(S3Object item)
    {
        var parts = item.Key[_prefix.Length..].Split('/');
        if (parts.Length != 4 || parts[0] is not ("blobs" or "manifests") || Digest.TryParse($"{parts[1]}:{parts[3]}") is not { } digest || parts[2] != digest.Hex[..2])
        {
            return null;
        }

        return new BucketObject(parts[0] == "manifests", digest, item.Size ?? 0, item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue);
    }
}
