using Mirror.Cache.Protocol;

namespace Mirror.Cache.Blobs;

/// <summary>
/// One client's view of a fill: reads any range of the blob as it arrives, waiting for bytes not yet there.
/// The last byte of every response is held back until the whole blob has verified, so no client ever
/// completes a response with wrong bytes; when the fill fails, reads say so and the response is cut off.
/// When the store faults, the reader streams its own verified copy from the upstream instead.
/// </summary>
public sealed class FillReader : IDisposable
{
    private readonly BlobFill _fill;
    private DirectBlobReader? _direct;
    private bool _disposed;

    internal FillReader(BlobFill fill) => _fill = fill;

    /// <summary>The repository the fill asks the upstream under.</summary>
    public RepositoryKey Repository => _fill.Repository;

    internal Task<FillStart> Started => _fill.Started;

    /// <summary>Whether every byte is in and verified: the blob is local, only not yet renamed into place.</summary>
    public bool IsVerified => _fill.Stage == FillStage.Verified;

    /// <summary>How many bytes the fill has in its file so far.</summary>
    internal long Written => _fill.Written;

    /// <summary>The blob's length: as the upstream announced it, or, once the fill verified, as it turned out.</summary>
    public long? Length => _fill.Length ?? (_fill.Stage == FillStage.Verified ? _fill.Written : null);

    /// <summary>Opens bytes <paramref name="start"/> to <paramref name="end"/> (exclusive) for a <c>Range</c> request, unverified and not held back (<see cref="BlobRangeReader"/>).</summary>
    public BlobRangeReader OpenRange(long start, long end) => new(_fill, start, end);

    /// <summary>Reads bytes at <paramref name="position"/> of the response that ends (exclusive) at <paramref name="end"/>.</summary>
    /// <returns>The count read, 0 once <paramref name="position"/> reached the end; or why the response must be cut off.</returns>
    public async ValueTask<FillRead> ReadAsync(Memory<byte> buffer, long position, long end, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_direct is not null)
            {
                return await _direct.ReadAsync(buffer, position, end, cancellationToken);
            }

            var changed = _fill.Changed;
            var stage = _fill.Stage;
            switch (stage)
            {
                case FillStage.Failed:
                    return FillRead.Cut(_fill.Failure, $"the upstream fetch of {_fill.Digest} failed: {_fill.Failure}");
                case FillStage.StoreFaulted:
                    _direct = new DirectBlobReader(_fill.Source, _fill.Repository, _fill.Digest, _fill.Services.Metrics);
                    continue;
            }

            if (TryRead(buffer.Span, position, end, verified: stage == FillStage.Verified) is { } read)
            {
                return read;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Reads what may go out now at <paramref name="position"/>; <c>null</c> when the bytes are not there yet.</summary>
    private FillRead? TryRead(Span<byte> buffer, long position, long end, bool verified)
    {
        // Read after the stage: once it says verified, every byte is written.
        var written = _fill.Written;
        if (verified)
        {
            end = Math.Min(end, written);
        }

        if (position >= end)
        {
            return FillRead.Of(0);
        }

        // Unverified bytes may all go out except the response's last; of a blob of unknown length any
        // written byte may be the last, so one is always held back.
        var readable = verified ? end : Math.Min(end - 1, _fill.Length is null ? written - 1 : written);
        if (position < readable)
        {
            var count = (int)Math.Min(buffer.Length, readable - position);
            // Page-cache reads are synchronous: the bytes were written moments ago.
            var read = RandomAccess.Read(_fill.ReadHandle!, buffer[..count], position);
            if (read > 0)
            {
                return FillRead.Of(read);
            }

            // A file another node writes, not yet as long here as it said: wait for the next change.
        }

        return null;
    }

    /// <summary>
    /// Waits for the fill to end without reading it (background work that only wants the blob stored): true
    /// once every byte verified (the commit follows at once), false when it failed or the store could not take it.
    /// </summary>
    internal async Task<bool> VerifiedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = _fill.Changed;
            switch (_fill.Stage)
            {
                case FillStage.Verified:
                    return true;
                case FillStage.Failed or FillStage.StoreFaulted:
                    return false;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _direct?.Dispose();
            _fill.Release();
        }
    }
}
