using System.Buffers;
using System.Security.Cryptography;
using Mirror.Cache.Content;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Registry;

namespace Mirror.Cache.Fills;

/// <summary>
/// A reader's own upstream stream of a blob, used when the store cannot take the fill: it reads from the
/// blob's start so it can hash every byte, skips what the client already has, and releases the last byte of
/// the response only after the whole blob verified, as a fill would.
/// </summary>
internal sealed class DirectBlobReader(IBlobSource source, RepositoryName repository, Digest digest, MirrorMetrics metrics) : IDisposable
{
    private readonly IncrementalHash _hash = digest.CreateHash();
    private BlobSourceResponse? _response;
    private long _consumed;
    private long _length;

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, long position, long end, CancellationToken cancellationToken)
    {
        if (_response is null)
        {
            _response = await source.OpenAsync(repository, digest, 0, cancellationToken);
            if (_response.Status != SourceStatus.Found || _response.Offset != 0 || _response.TotalLength is null)
            {
                throw new FillFailedException(FillFailure.Upstream, $"the upstream did not send {digest} again: {_response.Status}");
            }

            _length = _response.TotalLength.Value;
        }

        end = Math.Min(end, _length);
        if (position >= end)
        {
            return 0;
        }

        if (position < _consumed)
        {
            throw new InvalidOperationException("A direct reader only reads forward.");
        }

        await ConsumeAsync(position - _consumed, cancellationToken);
        if (position < end - 1)
        {
            var read = await ReadHashedAsync(buffer[..(int)Math.Min(buffer.Length, end - 1 - position)], cancellationToken);
            return read;
        }

        // The response's last byte: read the rest of the blob, verify, and only then hand the byte out.
        await ReadHashedAsync(buffer[..1], cancellationToken);
        await ConsumeAsync(_length - _consumed, cancellationToken);
        if (Digest.FromHash(digest.Algorithm, _hash.GetHashAndReset()) != digest)
        {
            metrics.DigestMismatch(MirrorMetrics.Blob);
            throw new FillFailedException(FillFailure.DigestMismatch, $"the upstream's bytes for {digest} do not match it");
        }

        return 1;
    }

    public void Dispose()
    {
        _response?.Dispose();
        _hash.Dispose();
    }

    private async Task ConsumeAsync(long count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (count > 0)
            {
                count -= await ReadHashedAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, count)), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private async Task<int> ReadHashedAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read;
        try
        {
            read = await _response!.Body!.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new FillFailedException(FillFailure.Truncated, $"the upstream broke off {digest} at byte {_consumed}: {ex.Message}");
        }

        if (read == 0)
        {
            throw new FillFailedException(FillFailure.Truncated, $"the upstream body of {digest} ended at byte {_consumed} of {_length}");
        }

        metrics.Pulled(MirrorMetrics.Blob, read);
        _hash.AppendData(buffer.Span[..read]);
        _consumed += read;
        return read;
    }
}
