using System.IO.Enumeration;
using Microsoft.Extensions.Options;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// Where the store keeps what, on disk: <c>blobs/&lt;alg&gt;/&lt;2 hex&gt;/&lt;hex&gt;</c>,
/// <c>manifests/&lt;alg&gt;/&lt;2 hex&gt;/&lt;hex&gt;</c> with the media type beside it in <c>&lt;hex&gt;.type</c>,
/// <c>tmp/</c> for writes in progress and <c>metadata/</c> for what the mirror knows about the content.
/// Every file appears under its final name only by renaming a temp file from <c>tmp/</c>, each with a name of
/// its own, so a reader never sees a half-written file and two writers never share one.
/// </summary>
public sealed class StoreLayout
{
    private const string TypeSuffix = ".type";

    private readonly string _blobs;
    private readonly string _manifests;
    private readonly string _temp;

    public StoreLayout(IOptions<StoreOptions> options)
    {
        Root = Path.GetFullPath(options.Value.RootDirectory);
        ReadOnlyMetadata = options.Value.ReadOnlyMetadata;
        _blobs = Path.Combine(Root, "blobs");
        _manifests = Path.Combine(Root, "manifests");
        _temp = Path.Combine(Root, "tmp");
        MetadataDirectory = Path.Combine(Root, "metadata");
        Shared = options.Value.Node is not null;

        // Journals are appended to and rewritten by one writer each: in a cluster, each node has its own.
        NodeMetadataDirectory = options.Value.Node is { } node
            ? Path.Combine(MetadataDirectory, "nodes", string.Concat(node.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_')))
            : MetadataDirectory;
        foreach (var directory in new[] { _blobs, _manifests, _temp, MetadataDirectory, NodeMetadataDirectory })
        {
            Directory.CreateDirectory(directory);
        }
    }

    /// <summary>The store's own journals of this node (tags, links, uses): the metadata directory, or a node's own part of it in a cluster.</summary>
    public string NodeMetadataDirectory { get; }

    /// <summary>Whether other nodes share this store (<see cref="StoreOptions.Node"/>).</summary>
    public bool Shared { get; }

    public string Root { get; }

    /// <summary>Where the mirror keeps what it knows about the content: tags, tag lists, links, use times.</summary>
    public string MetadataDirectory { get; }

    /// <summary>Whether the metadata journals are only read here (<see cref="StoreOptions.ReadOnlyMetadata"/>): a server beside this process owns them.</summary>
    public bool ReadOnlyMetadata { get; }

    internal string PathOf(ContentKind kind, Digest digest) =>
        Path.Combine(kind == ContentKind.Blob ? _blobs : _manifests, digest.Algorithm, digest.Hex[..2], digest.Hex);

    internal static string TypePathOf(string manifestPath) => manifestPath + TypeSuffix;

    /// <summary>A new path in <c>tmp/</c>, unique to its writer, for a file to be written and renamed into place.</summary>
    public string NewTempPath() => Path.Combine(_temp, Guid.NewGuid().ToString("N"));

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> by a temp file, flushed to disk, and a
    /// rename: whoever reads the path sees the old file or the new one, whole.
    /// </summary>
    public async Task WriteAtomicallyAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var temp = await WriteTempAsync(content, cancellationToken);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="content"/> to a new temp file, flushed to disk, ready to be renamed.</summary>
    internal async Task<string> WriteTempAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var temp = NewTempPath();
        try
        {
            await using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
            await stream.WriteAsync(content, cancellationToken);
            stream.Flush(flushToDisk: true);
            return temp;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Removes what writes in progress left behind when the process died: such files were never renamed into
    /// place, so nothing refers to them. Called once at start, before any fill begins. In a cluster other
    /// nodes write there now: only files untouched for <paramref name="clusterAge"/> go.
    /// </summary>
    public int RemoveTempFiles(TimeSpan? clusterAge = null)
    {
        var removed = 0;
        var before = DateTime.UtcNow - (clusterAge ?? TimeSpan.FromHours(1));
        foreach (var file in Directory.EnumerateFiles(_temp))
        {
            if (!Shared || File.GetLastWriteTimeUtc(file) < before)
            {
                File.Delete(file);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>
    /// Every committed file, for the start-up scan: its digest read from its name, length and last write
    /// from the directory walk, with no object per file (a file where its digest would not be is passed over).
    /// </summary>
    internal IEnumerable<StoredFile> Files()
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var (kind, directory) in new[] { (ContentKind.Blob, _blobs), (ContentKind.Manifest, _manifests) })
        {
            var files = new FileSystemEnumerable<StoredFile>(directory, (ref FileSystemEntry entry) => ToStoredFile(kind, ref entry), options)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory,
            };
            foreach (var file in files)
            {
                if (file.Length >= 0)
                {
                    yield return file;
                }
            }
        }
    }

    private static StoredFile ToStoredFile(ContentKind kind, ref FileSystemEntry entry)
    {
        var invalid = new StoredFile(kind, default, null, -1, 0, null);
        var name = entry.FileName;
        var prefix = Path.GetFileName(entry.Directory);
        var algorithm = Path.GetFileName(Path.GetDirectoryName(entry.Directory));
        if (prefix.Length != 2 || !name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return invalid;
        }

        DigestKey key;
        Digest? sha512 = null;
        if (algorithm.SequenceEqual("sha256") && name.Length == 64)
        {
            if (!DigestKey.TryParseHex(name, isSha512: false, out key))
            {
                return invalid;
            }
        }
        else if (algorithm.SequenceEqual("sha512") && Digest.TryParse($"sha512:{name}") is { } digest)
        {
            (key, sha512) = (DigestKey.Of(digest), digest);
        }
        else
        {
            return invalid;
        }

        try
        {
            return new StoredFile(kind, key, sha512, entry.Length, entry.LastWriteTimeUtc.UtcTicks, kind == ContentKind.Manifest ? entry.ToFullPath() : null);
        }
        catch (IOException)
        {
            // Removed while the scan walked past it.
            return invalid;
        }
    }

    /// <summary>Deletes a file that may not exist; a temp file left behind is removed at the next start.</summary>
    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next start's sweep of tmp/.
        }
    }
}
