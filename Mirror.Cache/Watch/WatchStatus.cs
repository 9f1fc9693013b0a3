using Microsoft.Extensions.Options;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;

namespace Mirror.Cache.Watch;

/// <summary>
/// The watched tags as the status page shows them, on any node: what each points at and when it moved come
/// from the tags' records (shared in a cluster), whether the image is in the store from the store itself
/// (read without counting as a pull), and deferrals and failures from this node's watcher, when it watches.
/// </summary>
public sealed class WatchStatus
{
    private readonly IReadOnlyList<WatchedImage> _images;
    private readonly ITagStore _tags;
    private readonly StoreLayout _layout;
    private readonly WatchBoard _board;
    private readonly IWatchLease _lease;
    private readonly IStorePins _pins;

    internal WatchStatus(IOptions<WatchOptions> options, ITagStore tags, StoreLayout layout, WatchBoard board, IWatchLease lease, IStorePins pins)
    {
        _pins = pins;
        _images = [.. options.Value.Images];
        _tags = tags;
        _layout = layout;
        _board = board;
        _lease = lease;
    }

    /// <summary>The node that watches, when known (this one's name alone, or the lease holder's in a cluster).</summary>
    public string? Watcher => _images.Count > 0 ? _lease.Watcher : null;

    /// <summary>Bytes of pinned content (<c>mirror.pin</c>, watched images) as of the last sweep; <c>null</c> when nothing is pinned by configuration.</summary>
    public long? PinnedBytes => _pins.Bytes;

    /// <summary>Each watched tag now, in <c>mirror.watch</c>'s order.</summary>
    public async Task<IReadOnlyList<WatchedTagState>> NowAsync(CancellationToken cancellationToken)
    {
        var states = new List<WatchedTagState>(_images.Count);
        foreach (var image in _images)
        {
            var record = await _tags.TryFindAsync(image.Repository, image.Tag, cancellationToken);
            var board = _board.Of(image);
            states.Add(new WatchedTagState(
                image.ToString(),
                image.Interval,
                record?.CheckedAt,
                record?.Digest,
                record is not null && Digest.TryParse(record.Digest) is { } digest && InStore(digest),
                record?.MovedAt,
                record?.Previous,
                board.Deferral?.Until,
                board.Deferral?.Reason,
                board.Deferrals,
                board.Problem));
        }

        return states;
    }

    /// <summary>
    /// Whether the image <paramref name="digest"/> is wholly in the store: its manifest, and every blob of its
    /// platform manifests the store holds (for a list, at least one platform).
    /// </summary>
    private bool InStore(Digest digest)
    {
        if (Read(digest) is not { } manifest)
        {
            return false;
        }

        var entries = PlatformSelection.Entries(manifest);
        if (entries.Count == 0)
        {
            return BlobsStored(manifest);
        }

        var platforms = entries.Select(e => Read(e.Digest)).OfType<byte[]>().ToList();
        return platforms.Count > 0 && platforms.All(BlobsStored);
    }

    private bool BlobsStored(byte[] manifest) =>
        ManifestReferences.HeldWith(manifest).All(blob => File.Exists(_layout.PathOf(ContentKind.Blob, blob)));

    private byte[]? Read(Digest digest)
    {
        try
        {
            var path = _layout.PathOf(ContentKind.Manifest, digest);
            return File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
