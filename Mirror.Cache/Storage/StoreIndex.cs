using System.Collections.Concurrent;
using Mirror.Cache.Content;

namespace Mirror.Cache.Storage;

/// <summary>
/// What the store holds, in memory: every committed file with its size and last access, and the totals.
/// Built by one scan at start (<see cref="StoreScanner"/>) and kept current by commits and removals, which
/// hold <see cref="Gate"/> so that a file and its entry come and go together; nothing walks the disk per
/// request or per scrape.
/// </summary>
public sealed class StoreIndex
{
    private readonly ConcurrentDictionary<(ContentKind, Digest), StoreEntry> _entries = new();
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bytes;
    private long _blobs;
    private long _manifests;

    /// <summary>Raised after content was added: the size budget is enforced promptly, and tests wait for commits.</summary>
    internal event Action<StoreEntry>? Added;

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Blobs => Interlocked.Read(ref _blobs);

    public long Manifests => Interlocked.Read(ref _manifests);

    /// <summary>Completes when the start-up scan has walked the whole store; faulted with its error if it failed.</summary>
    public Task Loaded => _loaded.Task;

    /// <summary>Held by commits and removals, so a file and its entry change together.</summary>
    internal Lock Gate { get; } = new();

    internal IEnumerable<StoreEntry> Entries => _entries.Values;

    /// <summary>Adds a committed file; a file already known (committed twice, or found by the scan) counts once.</summary>
    internal StoreEntry Add(ContentKind kind, Digest digest, long length, DateTimeOffset lastAccess, IReadOnlyList<Digest>? references = null)
    {
        var entry = new StoreEntry(kind, digest, length, lastAccess, references ?? []);
        var stored = _entries.GetOrAdd((kind, digest), entry);
        if (ReferenceEquals(stored, entry))
        {
            Interlocked.Add(ref _bytes, length);
            Interlocked.Increment(ref kind == ContentKind.Blob ? ref _blobs : ref _manifests);
            Added?.Invoke(entry);
        }

        return stored;
    }

    internal void Remove(StoreEntry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<(ContentKind, Digest), StoreEntry>((entry.Kind, entry.Digest), entry)))
        {
            Interlocked.Add(ref _bytes, -entry.Length);
            Interlocked.Decrement(ref entry.Kind == ContentKind.Blob ? ref _blobs : ref _manifests);
        }
    }

    internal StoreEntry? TryFind(ContentKind kind, Digest digest) => _entries.GetValueOrDefault((kind, digest));

    /// <summary>
    /// Finds a committed file (indexing one the start-up scan has not reached yet) and leases it against
    /// removal; <c>null</c> when it is not there or is being removed. The access is recorded by the caller
    /// (<see cref="StoreEntry.Touch"/>) once it serves the file: a request refused after the look-up is no pull.
    /// </summary>
    internal StoreEntry? TryAcquire(ContentKind kind, Digest digest, string path, DateTimeOffset now, Func<string, IReadOnlyList<Digest>>? references = null)
    {
        var entry = TryFind(kind, digest);
        if (entry is null)
        {
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                return null;
            }

            entry = Add(kind, digest, file.Length, now, references?.Invoke(path));
        }

        return entry.TryAcquire() ? entry : null;
    }

    /// <summary>Completes when <paramref name="digest"/> is committed: the store's commit signal.</summary>
    internal async Task WhenCommittedAsync(ContentKind kind, Digest digest, CancellationToken cancellationToken)
    {
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnAdded(StoreEntry entry)
        {
            if (entry.Kind == kind && entry.Digest == digest)
            {
                committed.TrySetResult();
            }
        }

        Added += OnAdded;
        try
        {
            if (TryFind(kind, digest) is null)
            {
                await committed.Task.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            Added -= OnAdded;
        }
    }

    internal void MarkLoaded(Exception? failure)
    {
        if (failure is null)
        {
            _loaded.TrySetResult();
        }
        else
        {
            _loaded.TrySetException(failure);
        }
    }
}
