using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Buckets;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// The sweep of the bucket's objects that this node's index does not hold (content only another node, or an
/// earlier life of this one, fetched), run by the node that sweeps after its own sweep: an object not used
/// within <c>proxy.ttl</c> by any node (the cluster's uses, <see cref="IUseLog.LastUseOf"/>; its write counts as
/// a use) is deleted, and while the bucket holds more than <c>mirror.maxsize</c> such objects go least
/// recently used first, down to the low watermark. Pinned content is kept; each delete is guarded against a
/// refill (<see cref="ObjectDeletes"/>).
/// </summary>
internal sealed class BucketSweeper(
    StoreIndex index,
    IContentBucket bucket,
    ObjectDeletes deletes,
    IStorePins pins,
    IUseLog uses,
    IOptions<EvictionOptions> options,
    TimeProvider time,
    MirrorMetrics metrics,
    ILogger<BucketSweeper> logger)
{
    private readonly EvictionOptions _options = options.Value;

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        if (!bucket.IsEnabled)
        {
            return;
        }

        var (others, total) = await OthersAsync(cancellationToken);
        var removed = new List<EvictedContent>();
        var expired = 0;
        if (_options.Ttl > TimeSpan.Zero)
        {
            var cutoff = (time.GetUtcNow() - _options.Ttl).UtcTicks;
            foreach (var other in others.Where(o => o.LastUse < cutoff).ToList())
            {
                if (await DeleteAsync(other, EvictionReason.Expired, removed, cancellationToken))
                {
                    (total, expired) = (total - other.Item.Length, expired + 1);
                    others.Remove(other);
                }
            }
        }

        var evicted = 0;
        if (_options.MaxSize is { } max && total > max)
        {
            var target = (long)(max * _options.LowWatermark);
            foreach (var other in others.OrderBy(o => o.LastUse))
            {
                if (total <= target)
                {
                    break;
                }

                if (await DeleteAsync(other, EvictionReason.OverBudget, removed, cancellationToken))
                {
                    (total, evicted) = (total - other.Item.Length, evicted + 1);
                }
            }
        }

        uses.Forget(removed);
        StorageLog.BucketSwept(logger, expired, evicted, removed.Sum(r => r.Length), total);
    }

    /// <summary>The objects no index here holds, with their last use, and the bucket's bytes in all.</summary>
    private async Task<(List<(BucketObject Item, long LastUse)> Others, long Total)> OthersAsync(CancellationToken cancellationToken)
    {
        var others = new List<(BucketObject Item, long LastUse)>();
        long total = 0;
        await foreach (var item in bucket.ListAsync(cancellationToken))
        {
            total += item.Length;
            var kind = item.IsManifest ? ContentKind.Manifest : ContentKind.Blob;
            if (index.TryFind(kind, item.Digest) is null && !pins.IsPinned(DigestKey.Of(item.Digest)))
            {
                others.Add((item, Math.Max(item.LastModified.UtcTicks, uses.LastUseOf(kind, item.Digest))));
            }
        }

        return (others, total);
    }

    private async Task<bool> DeleteAsync((BucketObject Item, long LastUse) other, EvictionReason reason, List<EvictedContent> removed, CancellationToken cancellationToken)
    {
        var (item, lastUse) = other;
        if (!await deletes.DeleteAsync(item.Digest, item.IsManifest, item.LastModified, cancellationToken))
        {
            return false;
        }

        metrics.Evicted(item.Length);
        removed.Add(new EvictedContent(item.IsManifest ? ContentKind.Manifest : ContentKind.Blob, item.Digest, item.Length, new DateTimeOffset(lastUse, TimeSpan.Zero), reason));
        return true;
    }
}
