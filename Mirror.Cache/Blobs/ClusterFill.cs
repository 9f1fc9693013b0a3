using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Blobs;

/// <summary>
/// A fill in a cluster: one node per registry and digest fetches (the holder of the lease, renewed while it
/// runs, its value naming the temp file), and every other node's clients follow that file in the shared
/// store as it grows, as local clients follow a local fill. A follower's clients get their last byte only
/// once the blob is committed under its digest and the registry's proof of it recorded (the filler records
/// the proof and renames the file into place only after verifying it), so nothing unverified completes on
/// any node, and no registry completes on bytes another registry served: a file committed by another
/// registry's fill, or stored before, does not end a fill that has to prove the digest. When the filler's
/// lease lapses without a commit (the node died), a follower takes the lease and the fill over from the
/// bytes on disk. When the coordinator cannot be asked, the node fills on its own, as a single node does.
/// On a bucket, where each node's local directory is its own (<see cref="FillPeers.Streams"/>), a follower
/// streams the fill from the node its lease names into a copy of its own (<see cref="PeerCopy"/>), which it
/// verifies itself and takes over from; and the commit it looks for is the bucket's.
/// </summary>
internal sealed class ClusterFill(BlobFill fill)
{
    /// <summary>How long a filler's lease lasts unless renewed (it is renewed a few times within it).</summary>
    public static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(6);

    /// <summary>How often a follower looks at the file it follows.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>How often a follower asks whether the filler still holds the lease.</summary>
    private static readonly TimeSpan LeaseCheck = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How soon a follower asks again while the lease names no file yet: the filler names it once the
    /// upstream has answered, and the follower's clients wait for their first byte until it learns the
    /// name. Doubled at each ask up to <see cref="LeaseCheck"/>, so a slow upstream costs few asks.
    /// </summary>
    private static readonly TimeSpan FirstLeaseCheck = TimeSpan.FromMilliseconds(20);

    private readonly IClusterCoordinator _cluster = fill.Services.Cluster;
    // One per registry and digest; the first upstream's without a registry, as before there were several.
    private readonly string _lease = fill.Repository.Upstream is { } registry ? $"fill/{registry}/{fill.Digest}" : $"fill/{fill.Digest}";
    private readonly string _committed = fill.Services.Store.CommittedPath(fill.Digest);
    private readonly FillPeers _peers = fill.Services.Peers;
    private readonly PeerCopy _copy = new(fill, fill.Services.Peers);

    // The file readers follow, from whichever filler (kept across fillers: a filler that leaves without a
    // file of its own leaves readers on the last one), and whether the commit was seen in this round of FollowAsync.
    private SafeFileHandle? _handle;
    private string? _path;
    private bool _committedSeen;

    /// <summary>A lease's value: the filling node, its temp file, the blob's length once known, and the node's address when followers stream from it.</summary>
    public static string LeaseValue(string node, string? path, long? length, Uri? address) =>
        new FillHolder(node, path ?? string.Empty, length, address).Value;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CoordinateAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            fill.Fail(FillFailure.Cancelled, UpstreamError.Because("the mirror is stopping"));
        }
        catch (Exception ex)
        {
            // A bug, not a fault of the cluster (those are values): readers must not wait forever.
            BlobLog.FillCrashed(fill.Services.Logger, fill.Repository, fill.Digest, ex);
            fill.Fail(FillFailure.Upstream, UpstreamError.Because("internal error"));
        }
        finally
        {
            await _copy.StopAsync();
        }
    }

    private async Task CoordinateAsync(CancellationToken cancellationToken)
    {
        string? abandoned = null;
        for (var round = 0; ; round++)
        {
            if (await ProvenCommittedLengthAsync(cancellationToken) is { } committed)
            {
                fill.CommittedElsewhere(committed);
                return;
            }

            var attempt = await _cluster.TryAcquireAsync(_lease, LeaseValue(_cluster.Node, null, null, _peers.Self), LeaseTime, cancellationToken);
            if (attempt.Unavailable)
            {
                fill.Services.Metrics.ClusterFallback();
                await new FillCopy(fill).RunAsync(null, abandoned, cancellationToken);
                return;
            }

            if (attempt.Lease is { } lease)
            {
                await FillAsync(lease, abandoned, cancellationToken);
                return;
            }

            if (round == 0)
            {
                fill.Services.Metrics.FillFollowed();
            }

            if (await FollowAsync(attempt.HeldBy!, cancellationToken) || fill.Stage != FillStage.Running)
            {
                return;
            }

            // The file readers follow, whichever filler left it: what a takeover must start from, since
            // readers move only to a file with every byte they may have read (a filler that left before it
            // named a file of its own changes nothing).
            abandoned = _peers.Streams ? _copy.Path : _path;
        }
    }

    /// <summary>Fetches for the cluster under <paramref name="lease"/>, taking over the file <paramref name="abandoned"/> left, if any.</summary>
    private async Task FillAsync(IClusterLease lease, string? abandoned, CancellationToken cancellationToken)
    {
        await using (lease)
        {
            fill.Services.Metrics.LeaseWon(takeover: abandoned is not null);
            BlobLog.FillLeaseWon(fill.Services.Logger, _cluster.Node, fill.Digest);
            await new FillCopy(fill).RunAsync(lease, abandoned, cancellationToken);
        }
    }

    /// <summary>
    /// Follows the filler named in <paramref name="holder"/> until the blob is committed (true), or the filler
    /// is gone without committing it (false).
    /// </summary>
    private async Task<bool> FollowAsync(string holder, CancellationToken cancellationToken)
    {
        _committedSeen = false;
        var lastCheck = fill.Services.Time.GetTimestamp();
        var interval = FirstLeaseCheck;
        while (true)
        {
            var (node, current, length, address) = FillHolder.Parse(holder);
            if (_peers.Streams)
            {
                if (address is not null)
                {
                    _copy.Follow(address, cancellationToken);
                }

                if (_copy.Verified && await fill.Services.Provenance.HasServedAsync(fill.Repository, fill.Digest, cancellationToken))
                {
                    // Every byte is in this node's copy, verified here: its readers finish from it.
                    fill.CommittedElsewhere(fill.Written);
                    return true;
                }
            }
            else
            {
                FollowFile(current, length);
            }

            var waiting = _peers.Streams ? !fill.Started.IsCompleted : current != _path;
            var checkLease = fill.Services.Time.GetElapsedTime(lastCheck) >= (waiting ? interval : LeaseCheck);
            if (await ProvenCommitAsync(checkLease, cancellationToken) is { } committed)
            {
                await _copy.StopAsync();
                fill.CommittedElsewhere(committed);
                return true;
            }

            if (checkLease)
            {
                lastCheck = fill.Services.Time.GetTimestamp();
                interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, LeaseCheck.Ticks));
                if (await CheckLeaseAsync(holder, cancellationToken) is not { } value)
                {
                    // The filler let go without committing (it failed, or died and its lease lapsed).
                    await _copy.StopAsync();
                    return false;
                }

                holder = value;
                BlobLog.FollowingFill(fill.Services.Logger, fill.Repository, fill.Digest, node, fill.Written, fill.Length);
            }

            await Task.Delay(Poll, fill.Services.Time, cancellationToken);
        }
    }

    /// <summary>
    /// Moves readers to the file the filler names (<paramref name="current"/>), once it has every byte they
    /// may have read from the last one; then tells them how far the file they follow has grown.
    /// </summary>
    private void FollowFile(string current, long? length)
    {
        if (current.Length > 0 && current != _path && Open(current) is { } opened)
        {
            if (_handle is null || RandomAccess.GetLength(opened) >= fill.Written)
            {
                (_handle, _path) = (opened, current);
                fill.Follow(_handle, length);
            }
            else
            {
                opened.Dispose();
            }
        }

        if (_handle is not null)
        {
            fill.Grew(RandomAccess.GetLength(_handle));
        }
    }

    /// <summary>
    /// The committed blob's length, once the filler committed it and this fill's registry has proven it. The
    /// proof is asked for when the committed file appears, then with the lease (<paramref name="checkLease"/>):
    /// a file stored before (or by another registry's fill) is there from the start of a fill that proves it.
    /// </summary>
    private async Task<long?> ProvenCommitAsync(bool checkLease, CancellationToken cancellationToken)
    {
        if (CommittedLength() is not { } committed || (fill.Length is not null && committed != fill.Length) || (_committedSeen && !checkLease))
        {
            return null;
        }

        _committedSeen = true;
        return await ProvenCommittedLengthAsync(cancellationToken) is not null ? committed : null;
    }

    /// <summary>The lease's value now: <c>null</c> once the filler let it go; <paramref name="holder"/> while the coordinator cannot be asked.</summary>
    private async Task<string?> CheckLeaseAsync(string holder, CancellationToken cancellationToken)
    {
        try
        {
            return await _cluster.ReadAsync(_lease, cancellationToken);
        }
        catch (ClusterUnavailableException)
        {
            // Following on: the filler writes on whether or not the coordinator answers.
            fill.Services.Metrics.ClusterFallback();
            return holder;
        }
    }

    /// <summary>
    /// The committed blob's length once this fill's registry has proven it (recorded before the commit by
    /// whichever node filled for it); <c>null</c> while it is not committed, or proven only by another registry.
    /// </summary>
    /// <remarks>On a bucket the filler's commit is the bucket's object, copied back (verified) into this node's directory.</remarks>
    private async Task<long?> ProvenCommittedLengthAsync(CancellationToken cancellationToken)
    {
        if (CommittedLength() is null && _peers.Streams && await fill.Services.Provenance.HasServedAsync(fill.Repository, fill.Digest, cancellationToken))
        {
            using var restored = await fill.Services.Store.TryRestoreAsync(fill.Digest, cancellationToken);
        }

        return CommittedLength() is { } committed && await fill.Services.Provenance.HasServedAsync(fill.Repository, fill.Digest, cancellationToken) ? committed : null;
    }

    private long? CommittedLength()
    {
        var file = new FileInfo(_committed);
        return file.Exists ? file.Length : null;
    }

    private static SafeFileHandle? Open(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // Committed (renamed) or abandoned since the lease named it; the next look tells which.
            return null;
        }
    }
}
