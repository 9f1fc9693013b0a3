namespace Mirror.Cache.Buckets;

/// <summary>
/// The bucket the store keeps its content in (<c>storage.s3</c>, with distribution's keys); none (the default)
/// keeps everything on the local filesystem. With a bucket, the local directory is a cache of it and the
/// home of the node's journals: a blob or manifest is committed to the bucket first, then locally.
/// </summary>
public sealed class BucketOptions
{
    /// <summary>The bucket (<c>storage.s3.bucket</c>); <c>null</c>: no bucket, the filesystem store alone.</summary>
    public string? Bucket { get; set; }

    /// <summary>The bucket's region (<c>storage.s3.region</c>; required, as in distribution).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>An S3-compatible endpoint in place of AWS's (<c>storage.s3.regionendpoint</c>), such as <c>http://127.0.0.1:7480</c>.</summary>
    public Uri? RegionEndpoint { get; set; }

    /// <summary>Path-style addressing, <c>ENDPOINT/BUCKET/KEY</c> (<c>storage.s3.forcepathstyle</c>; default false, as distribution 3).</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>HTTPS to the endpoint (<c>storage.s3.secure</c>; default true).</summary>
    public bool Secure { get; set; } = true;

    /// <summary>The access key (<c>storage.s3.accesskey</c>); <c>null</c>: the AWS SDK's own chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    /// <summary>The secret key (<c>storage.s3.secretkey</c>), with <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>A prefix for every key in the bucket (<c>storage.s3.rootdirectory</c>; default none).</summary>
    public string RootDirectory { get; set; } = "";

    /// <summary>
    /// The part size of multipart uploads (<c>storage.s3.chunksize</c>; default 10 MiB as distribution, at least
    /// 5 MiB, S3's smallest part but the last).
    /// </summary>
    public long ChunkSize { get; set; } = 10L * 1024 * 1024;

    /// <summary>Server-side encryption (<c>storage.s3.encrypt</c>; default false): AES256, or KMS with <see cref="KeyId"/>.</summary>
    public bool Encrypt { get; set; }

    /// <summary>The KMS key for <see cref="Encrypt"/> (<c>storage.s3.keyid</c>).</summary>
    public string? KeyId { get; set; }

    /// <summary>The storage class of new objects (<c>storage.s3.storageclass</c>; default STANDARD; NONE: the bucket's default).</summary>
    public string StorageClass { get; set; } = "STANDARD";

    /// <summary>
    /// Whether a warm blob <c>GET</c> is answered 307 to a presigned URL of the bucket (unless
    /// <c>storage.redirect.disable: true</c>, as distribution); false: the mirror serves the bytes itself.
    /// </summary>
    public bool Redirect { get; set; } = true;

    /// <summary>How long a presigned URL is valid (20 minutes, as distribution's S3 driver).</summary>
    public TimeSpan PresignLifetime { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>How long one S3 request may take before it is retried (the SDK retries within its bounds); default 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
