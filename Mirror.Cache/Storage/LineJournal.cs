using Microsoft.Extensions.Logging;

namespace Mirror.Cache.Storage;

/// <summary>
/// A file of lines in this node's part of the metadata directory, appended to as facts are learnt, replayed at
/// start and then rewritten without repeats (by temp file and rename): the journal of links and of proofs. With
/// <see cref="StoreLayout.ReadOnlyMetadata"/> (the command line beside a running server, which may be appending)
/// it is only read.
/// </summary>
internal sealed class LineJournal(StoreLayout layout, string fileName, ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly string _path = Path.Combine(layout.NodeMetadataDirectory, fileName);

    /// <summary>
    /// Hands every line to <paramref name="take"/> (true when it was new and well formed; a line cut short by a
    /// crash is not), after <paramref name="expect"/> is told how many there are; when some were not taken,
    /// rewrites the file as <paramref name="compacted"/> gives it. Returns how many were taken.
    /// </summary>
    public int Replay(Action<int> expect, Func<string, bool> take, Func<IEnumerable<string>> compacted)
    {
        if (!File.Exists(_path))
        {
            return 0;
        }

        expect(File.ReadLines(_path).Count());
        var (lines, count) = (0, 0);
        foreach (var line in File.ReadLines(_path))
        {
            lines++;
            if (take(line))
            {
                count++;
            }
        }

        // Requests may have added lines meanwhile (appended to the file too): the repeats are the replay's own.
        if (lines > count && !layout.ReadOnlyMetadata)
        {
            lock (_gate)
            {
                var temp = layout.NewTempPath();
                File.WriteAllLines(temp, compacted());
                File.Move(temp, _path, overwrite: true);
            }
        }

        return count;
    }

    /// <summary>Appends <paramref name="lines"/>; a file that cannot be written is logged, and what it missed is kept in memory only.</summary>
    public void Append(IReadOnlyCollection<string> lines)
    {
        if (lines.Count == 0 || layout.ReadOnlyMetadata)
        {
            return;
        }

        lock (_gate)
        {
            try
            {
                File.AppendAllLines(_path, lines);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Kept in memory; after a restart what the file missed is learnt again (the upstream asked, the registry proving it).
                StorageLog.MetadataNotSaved(logger, _path, ex);
            }
        }
    }
}
