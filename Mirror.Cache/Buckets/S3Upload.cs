using System.Threading.Channels;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Buckets;

/// <summary>
/// A blob's multipart upload, fed from its temp file: each time the file holds another whole part
/// (<see cref="BucketOptions.ChunkSize"/>), that part goes up, on a task of its own, while the fill goes on.
/// Only <see cref="CompleteAsync"/>, which the store calls after the digest and length verified, uploads the
/// rest and completes it; anything else (a mismatch, a cut, a crash) aborts it, and S3 never shows an upload
/// under way as an object. A blob smaller than a part is one PUT at completion.
/// </summary>
internal sealed class S3Upload : IBucketUpload
{
    private readonly S3Bucket _bucket;
    private readonly Digest _digest;
    private readonly string _key;
    private readonly SafeFileHandle _file;
    private readonly Channel<long> _written = Channel.CreateBounded<long>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<PartETag> _parts = [];
    private readonly Task _uploading;
    private string? _uploadId;
    private long _uploaded;
    private Exception? _fault;
    private bool _completed;

    public S3Upload(S3Bucket bucket, Digest digest, SafeFileHandle file)
    {
        _bucket = bucket;
        _digest = digest;
        _key = bucket.KeyOf(digest, manifest: false);
        _file = file;
        _uploading = Task.Run(UploadPartsAsync);
    }

    public void Wrote(long length) => _written.Writer.TryWrite(length);

    public async Task<bool> CompleteAsync(long length, CancellationToken cancellationToken)
    {
        _written.Writer.TryComplete();
        await _uploading;
        if (_fault is { } fault)
        {
            BucketLog.UploadFailed(_bucket.Logger, _digest, "upload part", fault);
            return false;
        }

        try
        {
            await FinishAsync(length, cancellationToken);
            _completed = true;
            BucketLog.Stored(_bucket.Logger, _digest, length, Math.Max(1, _parts.Count));
            return true;
        }
        catch (Exception ex) when (S3Bucket.IsFault(ex))
        {
            BucketLog.UploadFailed(_bucket.Logger, _digest, "complete", ex);
            return false;
        }
    }

    public void Dispose()
    {
        _written.Writer.TryComplete();
        _stopping.Cancel();
        if (!_completed && _uploadId is null)
        {
            // Nothing in S3 yet, but the part task may be starting the upload right now: it aborts it itself.
            _ = _uploading.ContinueWith(_ => AbortInBackground(), TaskScheduler.Default);
            return;
        }

        if (!_completed)
        {
            AbortInBackground();
        }
    }

    /// <summary>Uploads each whole part as the file reaches it, until the fill ends or the upload is disposed.</summary>
    private async Task UploadPartsAsync()
    {
        try
        {
            while (await _written.Reader.WaitToReadAsync(_stopping.Token))
            {
                var length = await _written.Reader.ReadAsync(_stopping.Token);
                while (length - _uploaded >= _bucket.Options.ChunkSize)
                {
                    await UploadPartAsync(_bucket.Options.ChunkSize, _stopping.Token);
                }
            }
        }
        catch (ChannelClosedException)
        {
        }
        catch (Exception ex) when (_stopping.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException)
        {
            // Disposed: the fill ended without a commit, and the upload is aborted.
        }
        catch (Exception ex) when (S3Bucket.IsFault(ex))
        {
            _fault = ex;
        }
    }

    private async Task UploadPartAsync(long size, CancellationToken cancellationToken)
    {
        // Not cancelled half-way: an upload S3 created must have its id here, or no one could abort it (the SDK's timeout bounds it).
        _uploadId ??= (await _bucket.Client.InitiateMultipartUploadAsync(_bucket.Initiate(_key), CancellationToken.None)).UploadId;
        cancellationToken.ThrowIfCancellationRequested();
        var number = _parts.Count + 1;
        using var body = new FileSegmentStream(_file, _uploaded, size);
        var part = await _bucket.Client.UploadPartAsync(
            new UploadPartRequest { BucketName = _bucket.Options.Bucket, Key = _key, UploadId = _uploadId, PartNumber = number, InputStream = body, PartSize = size },
            cancellationToken);
        _parts.Add(new PartETag(number, part.ETag));
        _uploaded += size;
        BucketLog.PartUploaded(_bucket.Logger, _digest, number, size);
    }

    /// <summary>The verified blob's last part and the completion, or one PUT when it never filled a part.</summary>
    private async Task FinishAsync(long length, CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            using var whole = new FileSegmentStream(_file, 0, length);
            var put = _bucket.Put(_key, whole);
            await _bucket.Client.PutObjectAsync(put, cancellationToken);
            return;
        }

        if (length > _uploaded)
        {
            await UploadPartAsync(length - _uploaded, cancellationToken);
        }

        await _bucket.Client.CompleteMultipartUploadAsync(
            new CompleteMultipartUploadRequest { BucketName = _bucket.Options.Bucket, Key = _key, UploadId = _uploadId, PartETags = _parts },
            cancellationToken);
    }

    private void AbortInBackground()
    {
        if (_uploadId is not { } uploadId)
        {
            return;
        }

        BucketLog.Aborted(_bucket.Logger, _digest);
        _ = Task.Run(async () =>
        {
            try
            {
                using var timeout = new CancellationTokenSource(_bucket.Options.RequestTimeout * 2);
                await _bucket.Client.AbortMultipartUploadAsync(
                    new AbortMultipartUploadRequest { BucketName = _bucket.Options.Bucket, Key = _key, UploadId = uploadId }, timeout.Token);
            }
            catch (Exception ex) when (S3Bucket.IsFault(ex) || ex is OperationCanceledException)
            {
                BucketLog.AbortFailed(_bucket.Logger, _digest, uploadId, ex);
            }
        });
    }
}
