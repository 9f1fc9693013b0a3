using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Tags;

/// <summary>
/// Remembers tag -> digest for every tag the mirror checked, and when it last asked. On a single node the
/// journal in the metadata directory (<c>tags.jsonl</c>) is the truth: each change of a tag's digest is
/// appended, the journal is replayed (and compacted) at start, and what is in memory is exactly what it
/// says, never evicted.
/// </summary>
internal sealed class TagStore(StoreLayout layout, IOptions<TagOptions> options, TimeProvider time, ILogger<TagStore> logger, IDistributedCache? shared = null, MirrorMetrics? metrics = null)
{
    private const string JournalFile = "tags.jsonl";

    private readonly ConcurrentDictionary<(string Repository, string Tag), TagRecord> _records = new();
    private readonly Lock _journalGate = new();
    private readonly string _journal = Path.Combine(layout.NodeMetadataDirectory, JournalFile);

    /// <summary>Whether <paramref name="record"/> was checked upstream within <paramref name="ttl"/>, or else <c>mirror.tagttl</c>.</summary>
    public bool IsFresh(TagRecord record, TimeSpan? ttl = null)
    {
        var within = ttl ?? options.Value.Ttl;
        return within > TimeSpan.Zero && time.GetUtcNow() - record.CheckedAt < within;
    }

    /// <summary>
    /// What is known of the tag: on a single node this node's record; in a cluster the later of this node's
    /// and the cluster's, so a tag another node checked counts here too.
    /// </summary>
    public async Task<TagRecord?> TryFindAsync(RepositoryKey repository, string tag, CancellationToken cancellationToken)
    {
        var local = _records.GetValueOrDefault((repository.Value, tag));
        if (shared is null)
        {
            return local;
        }

        try
        {
            if (await shared.GetAsync(SharedKey(repository.Value, tag), cancellationToken) is { } bytes
                && JsonSerializer.Deserialize<TagRecord>(bytes) is { } remote
                && (local is null || remote.CheckedAt > local.CheckedAt))
            {
                Record(remote);
                return remote;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The cluster's record cannot be had: this node's knowledge stands.
            metrics?.ClusterError();
        }

        return local;
    }

    /// <summary>Records the answer of an upstream check; a digest the tag did not point to before is journaled.</summary>
    public async Task RememberAsync(RepositoryKey repository, string tag, Digest digest, string mediaType, long length, CancellationToken cancellationToken)
    {
        if (layout.ReadOnlyMetadata)
        {
            throw new InvalidOperationException("The tag journal is read-only in this process.");
        }

        var record = new TagRecord(repository.Value, tag, digest.ToString(), mediaType, length, time.GetUtcNow());
        Record(record);
        if (shared is not null)
        {
            try
            {
                await shared.SetAsync(SharedKey(record.Repository, tag), JsonSerializer.SerializeToUtf8Bytes(record), new DistributedCacheEntryOptions(), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                metrics?.ClusterError();
            }
        }
    }

    private static string SharedKey(string repository, string tag) => $"tag/{repository}:{tag}";

    /// <summary>Takes <paramref name="record"/> into memory, journaling a change of digest.</summary>
    private void Record(TagRecord record)
    {
        var tag = record.Tag;
        lock (_journalGate)
        {
            // Compared, set and journaled together, so memory and journal agree in the order changes came.
            var previous = _records.GetValueOrDefault((record.Repository, tag));
            _records[(record.Repository, tag)] = record;
            if (previous?.Digest != record.Digest || previous.MediaType != record.MediaType)
            {
                Append(record);
            }
        }
    }

    /// <summary>
    /// Replays the journal (the last line of each tag wins; a line cut short by a crash is skipped) and
    /// rewrites it without the lines later ones replaced (unless <see cref="StoreLayout.ReadOnlyMetadata"/>:
    /// a server beside this process may be appending to it). Called once at start.
    /// </summary>
    public async Task<int> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_journal))
        {
            return 0;
        }

        var lines = 0;
        foreach (var line in await File.ReadAllLinesAsync(_journal, cancellationToken))
        {
            lines++;
            try
            {
                if (JsonSerializer.Deserialize<TagRecord>(line) is { } record)
                {
                    _records[(record.Repository, record.Tag)] = record;
                }
            }
            catch (JsonException)
            {
                // A line cut short by a crash: the lines before it still count.
            }
        }

        if (lines > _records.Count && !layout.ReadOnlyMetadata)
        {
            var compacted = string.Join(string.Empty, _records.Values.Select(r => JsonSerializer.Serialize(r) + "\n"));
            lock (_journalGate)
            {
                var temp = layout.NewTempPath();
                File.WriteAllText(temp, compacted);
                File.Move(temp, _journal, overwrite: true);
            }
        }

        return _records.Count;
    }

    /// <summary>Appends a change to the journal; called holding the journal's lock.</summary>
    private void Append(TagRecord record)
    {
        try
        {
            File.AppendAllText(_journal, JsonSerializer.Serialize(record) + "\n");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageLog.MetadataNotSaved(logger, _journal, ex);
        }
    }

    /// <summary>Every tag record, for what is derived from them at start (the repositories they show to hold a digest).</summary>
    public IEnumerable<TagRecord> Records => _records.Values;
}
