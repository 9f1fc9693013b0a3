using System.Buffers;
using Microsoft.Extensions.Logging;

namespace Mirror.Cache.Storage;

/// <summary>
/// Last uses in <c>metadata/access.txt</c>, one line per use (<c>b sha256:&lt;hex&gt; &lt;unix ms&gt;</c>,
/// <c>m</c> for a manifest): each save appends the entries used since the last one and flushes them to disk,
/// so what a save writes follows the traffic, not the size of the store, and a crash loses at most the
/// uses since the last save. Replay keeps each entry's latest line. A line torn by a crash is passed over
/// and cut off before the next append. When the file holds more than twice as many lines as the index
/// has entries (and at least <c>rewriteAfter</c>, which tests make small), a save rewrites it whole, by
/// temp file and rename. With <see cref="StoreLayout.ReadOnlyMetadata"/> (the command line beside a running
/// server, which owns the file) it is only read: a torn last line may be the server's append in progress.
/// </summary>
internal sealed class UseJournal(StoreLayout layout, ILogger<UseJournal> logger, long rewriteAfter = 65536) : IUseLog
{
    private const string FileName = "access.txt";

    /// <summary>Where the times were kept before the journal: read once, then replaced by it.</summary>
    private const string LegacyFileName = "access.json";

    private readonly string _path = Path.Combine(layout.NodeMetadataDirectory, FileName);
    private readonly string _legacyPath = Path.Combine(layout.MetadataDirectory, LegacyFileName);
    private readonly Lock _gate = new();
    private readonly List<UseRecord> _batch = [];
    private long _lines;
    private bool _rewrite;

    public void Replay(StoreIndex index)
    {
        lock (_gate)
        {
            try
            {
                if (File.Exists(_path))
                {
                    ReplayJournal(index);
                }
                else if (File.Exists(_legacyPath))
                {
                    LegacyUseTimes.Replay(_legacyPath, index);
                    _rewrite = true;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                StorageLog.JournalNotRead(logger, _path, ex);
                _rewrite = true;
            }
        }
    }

    public void Save(StoreIndex index) => Save(index, null);

    /// <summary>Nothing to do: every use in the journal is this node's, in the index already.</summary>
    public void CatchUp(StoreIndex index)
    {
    }

    /// <summary>Nothing to do: a removed entry's lines are passed over at replay and dropped by the next rewrite.</summary>
    /// <inheritdoc/>
    public long LastUseOf(ContentKind kind, Protocol.Digest digest) => 0;

    public void Forget(IReadOnlyList<EvictedContent> removed)
    {
    }

    /// <summary>Saves the uses since the last save, and hands the same batch to <paramref name="alsoTo"/> (a cluster's shared record).</summary>
    internal void Save(StoreIndex index, Action<IReadOnlyList<UseRecord>>? alsoTo)
    {
        if (layout.ReadOnlyMetadata)
        {
            return;
        }

        lock (_gate)
        {
            _batch.Clear();
            index.TakeUses(_batch);
            alsoTo?.Invoke(_batch);
            try
            {
                if (_rewrite || _lines + _batch.Count > Math.Max(rewriteAfter, 2 * (index.Blobs + index.Manifests)))
                {
                    Rewrite(index);
                }
                else if (_batch.Count > 0)
                {
                    using var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read, 1);
                    UseLines.Write(stream, _batch);
                    _lines += _batch.Count;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The uses taken are in the index still: the next save writes the whole journal.
                StorageLog.MetadataNotSaved(logger, _path, ex);
                _rewrite = true;
            }

            _batch.Clear();
            if (_batch.Capacity > 4096)
            {
                _batch.Capacity = 4096;
            }
        }
    }

    private void Rewrite(StoreIndex index)
    {
        var temp = layout.NewTempPath();
        try
        {
            var lines = 0L;
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                foreach (var shard in index.Shards)
                {
                    _batch.Clear();
                    lock (shard.Gate)
                    {
                        shard.AllUses(_batch);
                    }

                    UseLines.Write(stream, _batch, flush: false);
                    lines += _batch.Count;
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, _path, overwrite: true);
            _lines = lines;
            _rewrite = false;
            StoreLayout.TryDelete(_legacyPath);
        }
        finally
        {
            StoreLayout.TryDelete(temp);
        }
    }


    private void ReplayJournal(StoreIndex index)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var (lines, skipped, complete) = (0L, 0L, 0L);
        try
        {
            using var stream = layout.ReadOnlyMetadata
                ? new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1)
                : new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1);
            var (filled, offset, overlong) = (0, 0L, false);
            int read;
            while ((read = stream.Read(buffer, filled, buffer.Length - filled)) > 0)
            {
                filled += read;
                var start = 0;
                int newline;
                while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
                {
                    lines++;
                    if (overlong || !UseLines.TryApply(buffer.AsSpan(start, newline), index))
                    {
                        skipped++;
                    }

                    overlong = false;
                    start += newline + 1;
                    complete = offset + start;
                }

                if (start == 0 && filled == buffer.Length)
                {
                    // No line is this long: garbage up to the next newline.
                    (overlong, start) = (true, filled);
                }

                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                offset += start;
                filled -= start;
            }

            if (stream.Length > complete && stream.CanWrite)
            {
                // A torn last line: cut off, so the next append starts a line of its own.
                skipped++;
                stream.SetLength(complete);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _lines = lines;
        if (skipped > 0)
        {
            StorageLog.JournalLinesSkipped(logger, _path, skipped);
        }
    }

}
