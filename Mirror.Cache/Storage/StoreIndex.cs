using System.Collections.Concurrent;
using Mirror.Cache.Content;

namespace Mirror.Cache.Storage;

/// <summary>
/// What the store holds, in memory: every committed file with its size and last access, and the totals.
/// Built by one scan at start and kept current by commits and removals, so nothing walks the disk per
/// request or per scrape.
/// </summary>
internal sealed class StoreIndex
{
    private readonly ConcurrentDictionary<(ContentKind, Digest), StoreEntry> _entries = new();
    private long _bytes;
    private long _blobs;
    private long _manifests;

    /// <summary>Raised after content was added, so a size budget can be enforced promptly.</summary>
    public event Action? Grown;

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Blobs => Interlocked.Read(ref _blobs);

    public long Manifests => Interlocked.Read(ref _manifests);

    public IEnumerable<StoreEntry> Entries => _entries.Values;

    /// <summary>Adds a committed file; a file already known (committed twice, or found by the scan) counts once.</summary>
    public StoreEntry Add(ContentKind kind, Digest digest, long length, DateTimeOffset lastAccess, IReadOnlyList<Digest>? references = null)
    {
        var entry = new StoreEntry(kind, digest, length, lastAccess, references ?? []);
        var stored = _entries.GetOrAdd((kind, digest), entry);
        if (ReferenceEquals(stored, entry))
        {
            Interlocked.Add(ref _bytes, length);
            Interlocked.Increment(ref kind == ContentKind.Blob ? ref _blobs : ref _manifests);
            Grown?.Invoke();
        }

        return stored;
    }

    public void Remove(StoreEntry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<(ContentKind, Digest), StoreEntry>((entry.Kind, entry.Digest), entry)))
        {
            Interlocked.Add(ref _bytes, -entry.Length);
            Interlocked.Decrement(ref entry.Kind == ContentKind.Blob ? ref _blobs : ref _manifests);
        }
    }

    public StoreEntry? TryFind(ContentKind kind, Digest digest) => _entries.GetValueOrDefault((kind, digest));
}
