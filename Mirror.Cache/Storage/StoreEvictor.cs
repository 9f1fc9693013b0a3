using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Diagnostics;

namespace Mirror.Cache.Storage;

/// <summary>
/// Keeps the store bounded. Expiry removes content not pulled within <c>proxy.ttl</c>; the size budget
/// removes the least recently pulled content until the store is under its low watermark. "Pulled" is
/// effective use: a blob or platform manifest counts as used whenever a manifest or list that names it
/// is (the index carries a manifest's use to what it names), so content shared between images goes only
/// when none of them has been used. Content being read is never removed (its lease keeps it), and a fill's
/// temp file is not in the store until it commits, and pinned content (<see cref="IStorePins"/>: <c>mirror.pin</c>,
/// watched images) is never removed. A sweep costs what it removes (<see cref="EvictionCandidates"/>).
/// </summary>
internal sealed class StoreEvictor(StoreIndex index, BlobStore blobs, ManifestStore manifests, IStorePins pins, IOptions<EvictionOptions> options, TimeProvider time, MirrorMetrics metrics, ILogger<StoreEvictor> logger)
{
    /// <summary>Rounds of the budget's pick per sweep: each round passes over what the last found in use.</summary>
    private const int BudgetRounds = 4;

    private readonly EvictionOptions _options = options.Value;
    private readonly Lock _gate = new();
    private readonly List<StoreHandle> _candidates = [];

    public bool OverBudget => _options.MaxSize is { } max && index.Bytes > max;

    /// <summary>
    /// Runs expiry, then the size budget. <paramref name="dryRun"/> removes nothing and reports what it would
    /// remove (the command line's <c>gc --dry-run</c>); <paramref name="removed"/> is told of each entry removed,
    /// or that would be.
    /// </summary>
    public SweepResult Sweep(bool dryRun = false, Action<EvictedContent>? removed = null)
    {
        lock (_gate)
        {
            var started = time.GetTimestamp();
            var sweep = new SweepTally(dryRun, removed);
            if (_options.Ttl > TimeSpan.Zero)
            {
                Expire((time.GetUtcNow() - _options.Ttl).UtcTicks, sweep);
            }

            if (_options.MaxSize is { } max && index.Bytes - sweep.Pretended > max)
            {
                EnforceBudget((long)(max * _options.LowWatermark), sweep);
            }

            _candidates.Clear();
            if (_candidates.Capacity > 4096)
            {
                // A large sweep's list is not kept for the small ones that follow.
                _candidates.Capacity = 4096;
            }

            if (!dryRun)
            {
                StorageLog.Swept(logger, sweep.Expired, sweep.ExpiredBytes, _options.Ttl, sweep.Evicted, sweep.EvictedBytes, sweep.Busy, index.Bytes, index.Blobs + index.Manifests, time.GetElapsedTime(started));
            }

            return sweep.Result;
        }
    }

    /// <summary>The expiry pass: removes what was last used before <paramref name="cutoff"/> (UTC ticks).</summary>
    private void Expire(long cutoff, SweepTally sweep)
    {
        _candidates.Clear();
        EvictionCandidates.UnusedBefore(index, cutoff, _candidates);
        foreach (var entry in _candidates)
        {
            if (pins.IsPinned(index.KeyOf(entry)))
            {
                // Pinned now; the next expiry looks at it again, in case the pin is gone by then.
                index.KeepForNextSweep(entry);
                continue;
            }

            if (TryRemove(entry, cutoff, EvictionReason.Expired, sweep) is { } length)
            {
                sweep.Count(entry, length, EvictionReason.Expired);
            }
            else
            {
                sweep.Left(entry, passOver: false);
            }
        }
    }

    /// <summary>The budget pass: removes the least recently used until the store is down to <paramref name="target"/> bytes.</summary>
    private void EnforceBudget(long target, SweepTally sweep)
    {
        for (var round = 0; round < BudgetRounds && Excess(target, sweep) > 0; round++)
        {
            _candidates.Clear();
            EvictionCandidates.LeastRecentlyUsed(index, Excess(target, sweep), sweep.Skip, pins.IsPinned, _candidates);
            if (!EvictRound(target, sweep))
            {
                break;
            }
        }
    }

    /// <summary>One round of the budget over the candidates picked; false when another round would find nothing new.</summary>
    private bool EvictRound(long target, SweepTally sweep)
    {
        var removedBefore = sweep.Evicted;
        var skippedBefore = sweep.Skip.Count;
        foreach (var entry in _candidates)
        {
            if (Excess(target, sweep) <= 0)
            {
                break;
            }

            if (TryRemove(entry, long.MaxValue, EvictionReason.OverBudget, sweep) is { } length)
            {
                sweep.Count(entry, length, EvictionReason.OverBudget);
            }
            else
            {
                // Being read: the next round passes over it.
                sweep.Left(entry, passOver: true);
            }
        }

        return _candidates.Count > 0 && (sweep.Evicted != removedBefore || sweep.Skip.Count != skippedBefore);
    }

    /// <summary>Bytes over <paramref name="target"/>, counting what a dry run removed as gone.</summary>
    private long Excess(long target, SweepTally sweep) => index.Bytes - sweep.Pretended - target;

    /// <summary>
    /// Removes an entry last used before <paramref name="usedBefore"/> (a use since it was picked keeps it)
    /// and returns its length; <c>null</c> when it is being read, was used meanwhile, or could not be removed.
    /// A dry run only describes it.
    /// </summary>
    private long? TryRemove(StoreHandle entry, long usedBefore, EvictionReason reason, SweepTally sweep)
    {
        if (sweep.DryRun)
        {
            var (dryKind, dryDigest, dryLength, dryLastUse) = index.Describe(entry);
            if (dryLastUse >= usedBefore)
            {
                return null;
            }

            sweep.Removed?.Invoke(new EvictedContent(dryKind, dryDigest, dryLength, new DateTimeOffset(dryLastUse, TimeSpan.Zero), reason));
            return dryLength;
        }

        if (!index.TryRetire(entry))
        {
            index.KeepForNextSweep(entry);
            return null;
        }

        var (kind, digest, length, lastUse) = index.Describe(entry);
        if (lastUse >= usedBefore)
        {
            index.Unretire(entry);
            index.KeepForNextSweep(entry);
            return null;
        }

        return Remove(entry, new EvictedContent(kind, digest, length, new DateTimeOffset(lastUse, TimeSpan.Zero), reason), sweep);
    }

    /// <summary>Removes a retired entry's files; its length, or <c>null</c> (and the entry back) when they could not be removed.</summary>
    private long? Remove(StoreHandle entry, EvictedContent content, SweepTally sweep)
    {
        try
        {
            if (content.Kind == ContentKind.Blob)
            {
                blobs.Remove(entry, content.Digest, content.LastUse);
            }
            else
            {
                manifests.Remove(entry, content.Digest, content.LastUse);
            }

            metrics.Evicted(content.Length);
            sweep.Removed?.Invoke(content);
            return content.Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageLog.RemoveFailed(logger, content.Digest, ex);
            index.Unretire(entry);
            index.KeepForNextSweep(entry);
            return null;
        }
    }
}
