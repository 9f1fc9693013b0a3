using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Tags;

/// <summary>
/// Remembers tag -> digest for every tag the mirror checked, and when it last asked: in memory, and in the
/// journal in the metadata directory (<c>tags.jsonl</c>): each change of a tag's digest is appended, the
/// journal is replayed (and compacted) at start, and what is in memory is exactly what it says, never
/// evicted. The truth on a single node; in a cluster, the node's own record beside Redis's (<c>Cluster/ClusterTags</c>).
/// </summary>
internal sealed class TagJournal(StoreLayout layout, TimeProvider time, ILogger<TagJournal> logger) : ITagStore
{
    private const string JournalFile = "tags.jsonl";

    private readonly ConcurrentDictionary<(string Repository, string Tag), TagRecord> _records = new();
    private readonly Lock _journalGate = new();
    private readonly string _journal = Path.Combine(layout.NodeMetadataDirectory, JournalFile);

    public ValueTask<TagRecord?> TryFindAsync(RepositoryKey repository, string tag, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Find(repository.Value, tag));

    /// <summary>What this node knows of the tag.</summary>
    public TagRecord? Find(string repository, string tag) => _records.GetValueOrDefault((repository, tag));

    public Task RememberAsync(RepositoryKey repository, string tag, Digest digest, string mediaType, long length, CancellationToken cancellationToken)
    {
        Remember(repository, tag, digest, mediaType, length);
        return Task.CompletedTask;
    }

    /// <summary>Records the answer of an upstream check, checked now; a digest the tag did not point to before is journaled, with the one it replaced.</summary>
    public TagRecord Remember(RepositoryKey repository, string tag, Digest digest, string mediaType, long length)
    {
        if (layout.ReadOnlyMetadata)
        {
            throw new InvalidOperationException("The tag journal is read-only in this process.");
        }

        // A move keeps where the tag pointed before (a watched tag's rollback stays pinned); a check that finds it unmoved carries it on.
        var now = time.GetUtcNow();
        var known = Find(repository.Value, tag);
        var record = known is null || known.Digest == digest.ToString()
            ? new TagRecord(repository.Value, tag, digest.ToString(), mediaType, length, now, known?.Previous, known?.MovedAt)
            : new TagRecord(repository.Value, tag, digest.ToString(), mediaType, length, now, known.Digest, now);
        Record(record);
        return record;
    }

    /// <summary>Takes <paramref name="record"/> into memory, journaling a change of digest.</summary>
    public void Record(TagRecord record)
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
                if (JsonSerializer.Deserialize(line, TagJson.Default.TagRecord) is { } record)
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
            var compacted = string.Join(string.Empty, _records.Values.Select(r => JsonSerializer.Serialize(r, TagJson.Default.TagRecord) + "\n"));
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
            File.AppendAllText(_journal, JsonSerializer.Serialize(record, TagJson.Default.TagRecord) + "\n");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageLog.MetadataNotSaved(logger, _journal, ex);
        }
    }

    /// <summary>Every tag record, for what is derived from them at start (the repositories they show to hold a digest).</summary>
    public IEnumerable<TagRecord> Records => _records.Values;
}
