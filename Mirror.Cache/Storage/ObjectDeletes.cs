using Microsoft.Extensions.Logging;
using Mirror.Cache.Buckets;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// Deletes the bucket's objects for the sweep without losing a refill: under the digest's guard
/// (<see cref="IObjectGuard"/>, which a fill holds while it completes its upload), and only when the object
/// was not written after what the sweep judged (the entry's last use, or the listing's write time). An object
/// written since is a fill of another node (or of this one) that the sweep did not know of: it is kept. When
/// the guard cannot be had, nothing is deleted (a later sweep looks again).
/// </summary>
internal sealed class ObjectDeletes(IContentBucket bucket, IObjectGuard guard, ILogger<ObjectDeletes> logger)
{
    /// <summary>How long a delete waits for a fill completing the same digest's upload.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>The digests' guard, which a fill holds while it completes an upload.</summary>
    public IObjectGuard Guard => guard;

    /// <summary>Deletes the object unless it was written after <paramref name="writtenBy"/>; whether it is gone.</summary>
    public async Task<bool> DeleteAsync(Digest digest, bool manifest, DateTimeOffset writtenBy, CancellationToken cancellationToken)
    {
        await using var hold = await guard.HoldAsync(digest, Wait, cancellationToken);
        if (!hold.Held)
        {
            StorageLog.ObjectKept(logger, digest, "its guard could not be had");
            return false;
        }

        var written = await bucket.WrittenAtAsync(digest, manifest, cancellationToken);
        if (written is null)
        {
            return true;
        }

        if (written.Value > writtenBy)
        {
            StorageLog.ObjectKept(logger, digest, $"it was written again at {written.Value:O}, after the sweep judged it");
            return false;
        }

        return await bucket.DeleteAsync(digest, manifest, cancellationToken);
    }

    /// <summary>
    /// What an object of an entry last used at <paramref name="lastUse"/> may have been written by: S3 keeps write
    /// times to the second, so one written in that second is taken for a refill (and kept).
    /// </summary>
    public static DateTimeOffset WrittenBy(DateTimeOffset lastUse) =>
        new DateTimeOffset(lastUse.UtcTicks - (lastUse.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddTicks(-1);
}
