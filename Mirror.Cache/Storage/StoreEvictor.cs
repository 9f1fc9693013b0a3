using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Content;
using Mirror.Cache.Diagnostics;

namespace Mirror.Cache.Storage;

/// <summary>
/// Keeps the store bounded. Expiry removes content not pulled within <c>proxy.ttl</c>; the size budget
/// removes the least recently pulled content until the store is under its low watermark. "Pulled" is
/// effective use: a blob or platform manifest counts as used whenever a manifest or list that names it
/// is, so content shared between images goes only when none of them has been used. Content being read is
/// never removed (its lease keeps it), and a fill's temp file is not in the store until it commits.
/// </summary>
internal sealed class StoreEvictor(StoreIndex index, BlobStore blobs, ManifestStore manifests, IOptions<EvictionOptions> options, TimeProvider time, MirrorMetrics metrics, ILogger<StoreEvictor> logger)
{
    private readonly EvictionOptions _options = options.Value;
    private readonly Lock _gate = new();

    public bool OverBudget => _options.MaxSize is { } max && index.Bytes > max;

    public SweepResult Sweep()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var entries = index.Entries.ToList();
            var used = EffectiveUse(entries);
            var busy = 0;

            var (expired, expiredBytes) = (0, 0L);
            if (_options.Ttl > TimeSpan.Zero)
            {
                foreach (var entry in entries.Where(e => used[e] < now - _options.Ttl))
                {
                    if (TryRemove(entry))
                    {
                        expired++;
                        expiredBytes += entry.Length;
                    }
                    else
                    {
                        busy++;
                    }
                }
            }

            var (evicted, evictedBytes) = (0, 0L);
            if (_options.MaxSize is { } max && index.Bytes > max)
            {
                var target = (long)(max * _options.LowWatermark);
                foreach (var entry in entries.Where(e => !e.IsRetired).OrderBy(e => used[e]))
                {
                    if (index.Bytes <= target)
                    {
                        break;
                    }

                    if (!TryRemove(entry))
                    {
                        busy++;
                        continue;
                    }

                    evicted++;
                    evictedBytes += entry.Length;
                }
            }

            var result = new SweepResult(expired, expiredBytes, evicted, evictedBytes, busy);
            CacheLog.Swept(logger, expired, expiredBytes, _options.Ttl, evicted, evictedBytes, busy, index.Bytes, index.Blobs + index.Manifests);
            return result;
        }
    }

    /// <summary>
    /// Each entry's last use, counting a manifest's use as a use of everything it names: lists name
    /// platform manifests, which name config and layers, so two passes carry a list's use to its layers.
    /// </summary>
    private static Dictionary<StoreEntry, DateTimeOffset> EffectiveUse(List<StoreEntry> entries)
    {
        var used = entries.ToDictionary(e => e, e => e.LastAccess);
        var byDigest = entries.GroupBy(e => e.Digest).ToDictionary(g => g.Key, g => g.ToList());
        var manifests = entries.Where(e => e.References.Count > 0).ToList();
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var manifest in manifests)
            {
                foreach (var reference in manifest.References)
                {
                    foreach (var named in byDigest.GetValueOrDefault(reference) ?? [])
                    {
                        if (used[named] < used[manifest])
                        {
                            used[named] = used[manifest];
                        }
                    }
                }
            }
        }

        return used;
    }

    private bool TryRemove(StoreEntry entry)
    {
        if (!entry.TryRetire())
        {
            return false;
        }

        try
        {
            if (entry.Kind == ContentKind.Blob)
            {
                blobs.Remove(entry);
            }
            else
            {
                manifests.Remove(entry);
            }

            metrics.Evicted(entry.Length);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CacheLog.RemoveFailed(logger, entry.Digest, ex);
            entry.Unretire();
            return false;
        }
    }
}
