namespace Mirror.Cache.Buckets;

/// <summary>
/// One blob on its way into the bucket, its parts uploaded as the temp file grows. Disposing an upload that was
/// not completed aborts it: S3 then holds nothing of it (a multipart upload is never an object until completed).
/// </summary>
internal interface IBucketUpload : IDisposable
{
    /// <summary>The temp file now holds <paramref name="length"/> bytes.</summary>
    void Wrote(long length);

    /// <summary>
    /// Uploads what is left of the verified blob of <paramref name="length"/> bytes and completes the upload:
    /// from here on the bucket holds it. False when the bucket could not (the upload is aborted).
    /// </summary>
    Task<bool> CompleteAsync(long length, CancellationToken cancellationToken);
}
