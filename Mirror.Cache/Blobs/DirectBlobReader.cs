using System.Buffers;
using System.Security.Cryptography;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Blobs;

/// <summary>
/// A reader's own upstream stream of a blob, used when the store cannot take the fill: it reads from the
/// blob's start so it can hash every byte, skips what the client already has, and releases the last byte of
/// the response only after the whole blob verified, as a fill would.
/// </summary>
internal sealed class DirectBlobReader(IBlobSource source, RepositoryKey repository, Digest digest, MirrorMetrics metrics) : IDisposable
{
    private readonly IncrementalHash _hash = digest.CreateHash();
    private UpstreamBlob? _response;
    private long _consumed;
    private long _length;

    public async ValueTask<FillRead> ReadAsync(Memory<byte> buffer, long position, long end, CancellationToken cancellationToken)
    {
        if (_response is null)
        {
            _response = await source.OpenBlobAsync(repository.Name, digest, 0, cancellationToken);
            if (_response.Status != SourceStatus.Found || _response.Offset != 0 || _response.TotalLength is null)
            {
                return FillRead.Cut(FillFailure.Upstream, $"the upstream did not send {digest} again: {_response.Status}");
            }

            _length = _response.TotalLength.Value;
        }

        end = Math.Min(end, _length);
        if (position >= end)
        {
            return FillRead.Of(0);
        }

        if (position < _consumed)
        {
            throw new InvalidOperationException("A direct reader only reads forward.");
        }

        if (await ConsumeAsync(position - _consumed, cancellationToken) is { } skipFault)
        {
            return skipFault;
        }

        return position < end - 1
            ? await ReadHashedAsync(buffer[..(int)Math.Min(buffer.Length, end - 1 - position)], cancellationToken)
            : await ReadLastAsync(buffer, cancellationToken);
    }

    public void Dispose()
    {
        _response?.Dispose();
        _hash.Dispose();
    }

    /// <summary>The response's last byte: reads the rest of the blob, verifies it, and only then hands the byte out.</summary>
    private async Task<FillRead> ReadLastAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var last = await ReadHashedAsync(buffer[..1], cancellationToken);
        if (last.Failed)
        {
            return last;
        }

        if (await ConsumeAsync(_length - _consumed, cancellationToken) is { } restFault)
        {
            return restFault;
        }

        if (Digest.FromHash(digest.Algorithm, _hash.GetHashAndReset()) != digest)
        {
            metrics.DigestMismatch(source.Name, MirrorMetrics.Blob);
            return FillRead.Cut(FillFailure.DigestMismatch, $"the upstream's bytes for {digest} do not match it");
        }

        return FillRead.Of(1);
    }

    /// <summary>Reads (and hashes) <paramref name="count"/> bytes no response needs; the failure when it cannot.</summary>
    private async Task<FillRead?> ConsumeAsync(long count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return null;
        }

        var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (count > 0)
            {
                var read = await ReadHashedAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, count)), cancellationToken);
                if (read.Failed)
                {
                    return read;
                }

                count -= read.Count;
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private async Task<FillRead> ReadHashedAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await _response!.Body!.ReadAsync(buffer, cancellationToken);
        if (read.Failed)
        {
            return FillRead.Cut(FillFailure.Truncated, $"the upstream broke off {digest} at byte {_consumed}: {read.Fault}");
        }

        if (read.Count == 0)
        {
            return FillRead.Cut(FillFailure.Truncated, $"the upstream body of {digest} ended at byte {_consumed} of {_length}");
        }

        metrics.Pulled(source.Name, MirrorMetrics.Blob, read.Count);
        _hash.AppendData(buffer.Span[..read.Count]);
        _consumed += read.Count;
        return FillRead.Of(read.Count);
    }
}
