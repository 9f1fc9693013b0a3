using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Blobs;

/// <summary>
/// A client's range read by a ranged upstream request of its own (counted by
/// <c>mirror_upstream_range_requests</c>), opened at the first read: its bytes go to the client as they
/// arrive and are neither stored nor verified (the client verifies what it assembles). An upstream that
/// ignores the range is read past the bytes before it. Reads go forward only.
/// </summary>
internal sealed class UpstreamRangeReader(IBlobSource source, RepositoryKey repository, Digest digest, long start, long end, MirrorMetrics metrics) : IDisposable
{
    private UpstreamBlob? _response;
    private long _position;

    public async ValueTask<FillRead> ReadAsync(Memory<byte> buffer, long position, CancellationToken cancellationToken)
    {
        if (_response is null && await OpenAsync(cancellationToken) is { } refused)
        {
            return refused;
        }

        if (position != _position)
        {
            throw new InvalidOperationException("An upstream range reader only reads forward, from where it stopped.");
        }

        if (position >= end)
        {
            return FillRead.Of(0);
        }

        var read = await _response!.Body!.ReadAsync(buffer[..(int)Math.Min(buffer.Length, end - position)], cancellationToken);
        if (read.Failed || read.Count == 0)
        {
            return FillRead.Cut(FillFailure.Truncated, $"the upstream's range of {digest} broke off at byte {position}: {read.Fault ?? "the body ended"}");
        }

        metrics.Pulled(source.Name, MirrorMetrics.Blob, read.Count);
        _position += read.Count;
        return FillRead.Of(read.Count);
    }

    public void Dispose() => _response?.Dispose();

    /// <summary>Asks the upstream for the range; why the response must be cut off when it cannot serve it.</summary>
    private async Task<FillRead?> OpenAsync(CancellationToken cancellationToken)
    {
        metrics.RangeRequested(source.Name);
        _position = start;
        _response = await source.OpenBlobRangeAsync(repository.Name, digest, start, end - 1, cancellationToken);
        var problem = _response.Status != SourceStatus.Found || _response.Offset > start
            ? $"the upstream answered {_response.Status} from byte {_response.Offset}"
            : await BlobRequests.SkipAsync(_response, start - _response.Offset, cancellationToken);
        return problem is null ? null : FillRead.Cut(FillFailure.Upstream, $"the upstream did not send bytes {start}-{end - 1} of {digest}: {problem}");
    }
}
