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
/// temp file is not in the store until it commits. A sweep costs what it removes (<see cref="EvictionCandidates"/>).
/// </summary>
internal sealed class StoreEvictor(StoreIndex index, BlobStore blobs, ManifestStore manifests, IOptions<EvictionOptions> options, TimeProvider time, MirrorMetrics metrics, ILogger<StoreEvictor> logger)
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
            var now = time.GetUtcNow();
            var busy = 0;

            // What a dry run counts as gone: its bytes, and its entries, which the budget's pick passes over.
            var pretended = 0L;
            var skip = new HashSet<StoreHandle>();
            var sweep = new Removal(dryRun, removed);

            var (expired, expiredBytes) = (0, 0L);
            if (_options.Ttl > TimeSpan.Zero)
            {
                var cutoff = (now - _options.Ttl).UtcTicks;
                _candidates.Clear();
                EvictionCandidates.UnusedBefore(index, cutoff, _candidates);
                foreach (var entry in _candidates)
                {
                    if (TryRemove(entry, cutoff, EvictionReason.Expired, sweep) is { } length)
                    {
                        expired++;
                        expiredBytes += length;
                        if (dryRun)
                        {
                            pretended += length;
                            skip.Add(entry);
                        }
                    }
                    else
                    {
                        busy++;
                    }
                }
            }

            var (evicted, evictedBytes) = (0, 0L);
            if (_options.MaxSize is { } max && index.Bytes - pretended > max)
            {
                var target = (long)(max * _options.LowWatermark);
                for (var round = 0; round < BudgetRounds && index.Bytes - pretended > target; round++)
                {
                    _candidates.Clear();
                    EvictionCandidates.LeastRecentlyUsed(index, index.Bytes - pretended - target, skip, _candidates);
                    var removedBefore = evicted;
                    var skippedBefore = skip.Count;
                    foreach (var entry in _candidates)
                    {
                        if (index.Bytes - pretended <= target)
                        {
                            break;
                        }

                        if (TryRemove(entry, long.MaxValue, EvictionReason.OverBudget, sweep) is { } length)
                        {
                            evicted++;
                            evictedBytes += length;
                            if (dryRun)
                            {
                                pretended += length;
                                skip.Add(entry);
                            }
                        }
                        else
                        {
                            // Being read: the next round passes over it.
                            skip.Add(entry);
                            busy++;
                        }
                    }

                    if (_candidates.Count == 0 || (evicted == removedBefore && skip.Count == skippedBefore))
                    {
                        break;
                    }
                }
            }

            _candidates.Clear();
            if (_candidates.Capacity > 4096)
            {
                // A large sweep's list is not kept for the small ones that follow.
                _candidates.Capacity = 4096;
            }

            var result = new SweepResult(expired, expiredBytes, evicted, evictedBytes, busy);
            if (!dryRun)
            {
                StorageLog.Swept(logger, expired, expiredBytes, _options.Ttl, evicted, evictedBytes, busy, index.Bytes, index.Blobs + index.Manifests, time.GetElapsedTime(started));
            }

            return result;
        }
    }

    /// <summary>
    /// Removes an entry last used before <paramref name="usedBefore"/> (a use since it was picked keeps it)
    /// and returns its length; <c>null</c> when it is being read, was used meanwhile, or could not be removed.
    /// A dry run only describes it.
    /// </summary>
    private long? TryRemove(StoreHandle entry, long usedBefore, EvictionReason reason, Removal sweep)
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

        try
        {
            if (kind == ContentKind.Blob)
            {
                blobs.Remove(entry, digest);
            }
            else
            {
                manifests.Remove(entry, digest);
            }

            metrics.Evicted(length);
            sweep.Removed?.Invoke(new EvictedContent(kind, digest, length, new DateTimeOffset(lastUse, TimeSpan.Zero), reason));
            return length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageLog.RemoveFailed(logger, digest, ex);
            index.Unretire(entry);
            index.KeepForNextSweep(entry);
            return null;
        }
    }

    /// <summary>How one sweep removes: for real or not, and who is told of each removal.</summary>
    private readonly record struct Removal(bool DryRun, Action<EvictedContent>? Removed);
}
