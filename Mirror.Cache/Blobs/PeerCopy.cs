using System.Buffers;
using Mirror.Cache.Storage;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Blobs;

/// <summary>
/// A follower's copy of another node's fill, streamed from that node (<see cref="FillPeers"/>) into a local temp
/// file that this node's readers follow as it grows, hashed on the way: the bytes verify here, whoever sent
/// them. A stream that breaks is asked again from the byte the copy has (of whichever node fills by then: the
/// bytes of a digest are the same); when the filling node is gone, the copy is what a takeover starts from
/// (<see cref="FillTakeover"/>). The copy is never committed: the filling node puts the blob in the bucket.
/// </summary>
internal sealed class PeerCopy(BlobFill fill, FillPeers peers)
{
    /// <summary>How soon a stream that ended short (or was refused) is asked again.</summary>
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(200);

    private BlobWriter? _copy;
    private Task _streaming = Task.CompletedTask;
    private CancellationTokenSource? _stop;
    private long _endedAt;
    private bool _following;
    private volatile bool _verified;

    /// <summary>The local copy's temp file, once there is one: what a takeover starts from.</summary>
    public string? Path => _copy?.TempPath;

    /// <summary>Whether every byte is here and hashed to the digest.</summary>
    public bool Verified => _verified;

    /// <summary>Streams from <paramref name="owner"/>, unless a stream runs, or ended moments ago, or the copy is complete.</summary>
    public void Follow(Uri owner, CancellationToken cancellationToken)
    {
        if (_verified || !_streaming.IsCompleted || (_endedAt != 0 && fill.Services.Time.GetElapsedTime(_endedAt) < Retry))
        {
            return;
        }

        if (_copy is null)
        {
            if (fill.Services.Store.TryCreateLocalWriter(fill.Digest) is not { } copy)
            {
                // No room here: readers fetch for themselves (DirectBlobReader), as when a fill's disk faults.
                fill.Finish(FillStage.StoreFaulted, FillFailure.None);
                return;
            }

            _copy = copy;
            fill.Own(copy);
        }

        _stop?.Dispose();
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _streaming = StreamAsync(owner, _copy, _stop.Token);
    }

    /// <summary>Stops the stream, if one runs: before a takeover reads the copy.</summary>
    public async Task StopAsync()
    {
        if (_stop is not null)
        {
            await _stop.CancelAsync();
        }

        await _streaming;
        _stop?.Dispose();
        _stop = null;
    }

    private async Task StreamAsync(Uri owner, BlobWriter copy, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(fill.Services.Options.BufferSize);
        try
        {
            var from = copy.Length;
            if (await peers.OpenAsync(owner, fill.Repository.Upstream, fill.Digest, from, cancellationToken) is not var (body, length))
            {
                return;
            }

            await using var stream = body;
            Begin(copy, length);
            BlobLog.StreamingFromNode(fill.Services.Logger, fill.Digest, owner, from);
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                copy.Hash(buffer.AsSpan(0, read));
                copy.Append(buffer.AsSpan(0, read));
                fill.Wrote(copy.Length);
            }

            Complete(copy);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            // The node stopped (or is being left): asked again, or taken over once its lease lapses.
            BlobLog.NodeStreamBroke(fill.Services.Logger, fill.Digest, owner, copy.Length, ex.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _endedAt = fill.Services.Time.GetTimestamp();
        }
    }

    /// <summary>The filling node has the blob: this node's readers follow the copy from now on.</summary>
    private void Begin(BlobWriter copy, long? length)
    {
        if (!_following)
        {
            _following = true;
            fill.Follow(copy.Handle, length);
        }
    }

    /// <summary>The body ended: complete when it has the blob's length (if known) and hashes to its digest.</summary>
    private void Complete(BlobWriter copy)
    {
        if (fill.Length is { } length && copy.Length != length)
        {
            return;
        }

        if (copy.Verify(fill.Length) == CommitResult.Committed)
        {
            _verified = true;
            return;
        }

        BlobLog.DigestMismatch(fill.Services.Logger, fill.Repository, fill.Digest, copy.Length);
        fill.Fail(FillFailure.DigestMismatch, UpstreamError.Because("the filling node's bytes did not hash to the digest"));
    }
}
