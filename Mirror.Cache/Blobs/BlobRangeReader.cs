namespace Mirror.Cache.Blobs;

/// <summary>
/// One range of a filling blob, for a <c>Range</c> request: from the fill's file as soon as its bytes are
/// there, or from a ranged upstream request of its own when the fill would reach it later than that request
/// answers it (<see cref="FillReachesFirst"/>). Nothing is held back, the range's last byte and the blob's
/// last byte included: a range cannot be verified before the whole blob is hashed, and the clients that ask
/// for ranges verify what they assemble (containerd checks the blob's digest; stargz and SOCI each chunk's).
/// A fill that fails cuts the ranges still waiting on it; a store that faults sends them upstream.
/// </summary>
public sealed class BlobRangeReader : IDisposable
{
    private readonly BlobFill _fill;
    private readonly long _start;
    private readonly long _end;
    private UpstreamRangeReader? _upstream;

    internal BlobRangeReader(BlobFill fill, long start, long end)
    {
        (_fill, _start, _end) = (fill, start, end);
        if (!FillReachesFirst(fill, start))
        {
            _upstream = Upstream();
        }
    }

    /// <summary>Whether the range is read by an upstream request of its own rather than from the fill.</summary>
    public bool FromUpstream => _upstream is not null;

    /// <summary>Reads bytes of the range at <paramref name="position"/>: the count (0 at the range's end), or why the response must be cut off.</summary>
    public async ValueTask<FillRead> ReadAsync(Memory<byte> buffer, long position, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_upstream is not null)
            {
                return await _upstream.ReadAsync(buffer, position, cancellationToken);
            }

            var changed = _fill.Changed;
            switch (_fill.Stage)
            {
                case FillStage.Failed:
                    return FillRead.Cut(_fill.Failure, $"the upstream fetch of {_fill.Digest} failed: {_fill.Failure}");
                case FillStage.StoreFaulted when position == _start:
                    _upstream = Upstream();
                    continue;
                case FillStage.StoreFaulted:
                    return FillRead.Cut(FillFailure.Upstream, $"the store could not take {_fill.Digest} mid-range");
            }

            if (TryRead(buffer.Span, position) is { } read)
            {
                return read;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    public void Dispose() => _upstream?.Dispose();

    /// <summary>
    /// Whether waiting for the fill answers a range starting at <paramref name="start"/> no later than a
    /// request of its own: the request waits the upstream's first-byte time (as the fill's first answer did)
    /// and then comes at the fill's rate, so the fill wins when it is less than that first-byte time's worth
    /// of bytes short of the range's start. Before the fill's rate is known, only its first read's worth is
    /// worth waiting for.
    /// </summary>
    internal static bool FillReachesFirst(BlobFill fill, long start)
    {
        var written = fill.Written;
        if (start < written || fill.Stage == FillStage.Verified)
        {
            return true;
        }

        var rate = fill.Rate;
        return rate > 0
            ? start - written <= fill.FirstByteTime.TotalSeconds * rate
            : start < fill.Services.Options.BufferSize;
    }

    private UpstreamRangeReader Upstream() =>
        new(_fill.Source, _fill.Repository, _fill.Digest, _start, _end, _fill.Services.Metrics);

    /// <summary>The bytes of the range the fill's file has at <paramref name="position"/>; <c>null</c> when they are not there yet.</summary>
    private FillRead? TryRead(Span<byte> buffer, long position)
    {
        // Read the stage before the count: once it says verified, every byte is written.
        var verified = _fill.Stage == FillStage.Verified;
        var written = _fill.Written;
        var end = verified ? Math.Min(_end, written) : _end;
        if (position >= end)
        {
            return FillRead.Of(0);
        }

        if (position < written)
        {
            var count = (int)Math.Min(buffer.Length, Math.Min(end, written) - position);
            // Page-cache reads are synchronous: the bytes were written moments ago.
            var read = RandomAccess.Read(_fill.ReadHandle!, buffer[..count], position);
            if (read > 0)
            {
                return FillRead.Of(read);
            }
        }

        return null;
    }
}
