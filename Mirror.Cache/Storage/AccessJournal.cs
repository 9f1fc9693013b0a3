using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;

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
internal sealed class AccessJournal(StoreLayout layout, ILogger<AccessJournal> logger, long rewriteAfter = 65536) : IAccessLog
{
    private const string FileName = "access.txt";

    /// <summary>Where the times were kept before the journal: read once, then replaced by it.</summary>
    private const string LegacyFileName = "access.json";

    private const int MaxLine = 160;

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
                    LegacyAccessTimes.Replay(_legacyPath, index);
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
                    Write(stream, _batch);
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

                    Write(stream, _batch, flush: false);
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

    private static void Write(FileStream stream, List<UseRecord> records, bool flush = true)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var used = 0;
            Span<char> line = stackalloc char[MaxLine];
            foreach (var record in records)
            {
                if (buffer.Length - used < MaxLine)
                {
                    stream.Write(buffer, 0, used);
                    used = 0;
                }

                var length = Format(record, line);
                used += Encoding.ASCII.GetBytes(line[..length], buffer.AsSpan(used));
            }

            stream.Write(buffer, 0, used);
            if (flush)
            {
                stream.Flush(flushToDisk: true);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Format(in UseRecord record, Span<char> line)
    {
        line[0] = record.Kind == ContentKind.Blob ? 'b' : 'm';
        line[1] = ' ';
        var length = 2;
        if (record.Sha512 is { } digest)
        {
            digest.ToString().CopyTo(line[length..]);
            length += digest.ToString().Length;
        }
        else
        {
            "sha256:".CopyTo(line[length..]);
            record.Key.FormatHex(line[(length + 7)..]);
            length += 7 + 64;
        }

        line[length++] = ' ';
        new DateTimeOffset(record.Ticks, TimeSpan.Zero).ToUnixTimeMilliseconds().TryFormat(line[length..], out var written, provider: CultureInfo.InvariantCulture);
        length += written;
        line[length++] = '\n';
        return length;
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
                    if (overlong || !TryApply(buffer.AsSpan(start, newline), index))
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

    private static bool TryApply(ReadOnlySpan<byte> line, StoreIndex index)
    {
        if (line.Length < 4 || line.Length > MaxLine || line[0] is not ((byte)'b' or (byte)'m') || line[1] != ' ')
        {
            return false;
        }

        var rest = line[2..];
        var space = rest.IndexOf((byte)' ');
        if (space < 0 || !Utf8Parser.TryParse(rest[(space + 1)..], out long milliseconds, out var consumed) || consumed != rest.Length - space - 1
            || milliseconds < 0 || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        Span<char> text = stackalloc char[MaxLine];
        var length = Encoding.ASCII.GetChars(rest[..space], text);
        if (!TryReadDigest(text[..length], out var key, out var sha512))
        {
            return false;
        }

        index.MergeUse(line[0] == 'b' ? ContentKind.Blob : ContentKind.Manifest, key, sha512, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds).UtcTicks);
        return true;
    }

    /// <summary>A digest as the store writes it, without a <see cref="Digest"/> for the common <c>sha256</c>.</summary>
    internal static bool TryReadDigest(ReadOnlySpan<char> text, out DigestKey key, out Digest? sha512)
    {
        sha512 = null;
        if (text.StartsWith("sha256:", StringComparison.Ordinal) && text.Length == 7 + 64)
        {
            return DigestKey.TryParseHex(text[7..], isSha512: false, out key);
        }

        key = default;
        if (text.StartsWith("sha512:", StringComparison.Ordinal) && Digest.TryParse(text) is { } digest)
        {
            (key, sha512) = (DigestKey.Of(digest), digest);
            return true;
        }

        return false;
    }
}
