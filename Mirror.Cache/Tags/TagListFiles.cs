using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Tags;

/// <summary>
/// The last tag list of each repository, a file each in <c>metadata/taglists/</c>, rewritten by temp file
/// and rename when the list changes; read back only to serve it stale. The truth on a single node; in a
/// cluster, the fallback beside Redis (<c>Cluster/ClusterTagLists</c>).
/// </summary>
internal sealed class TagListFiles(StoreLayout layout, ILogger<TagListFiles> logger) : ITagListStore
{
    private const string Directory = "taglists";

    public async Task<IReadOnlyList<string>?> TryFindAsync(RepositoryKey repository, CancellationToken cancellationToken)
    {
        try
        {
            return JsonSerializer.Deserialize(await File.ReadAllBytesAsync(PathOf(repository), cancellationToken), TagJson.Default.ListString);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    public async Task RememberAsync(RepositoryKey repository, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(tags, TagJson.Default.ListString);
        var path = PathOf(repository);
        try
        {
            if (File.Exists(path) && (await File.ReadAllBytesAsync(path, cancellationToken)).AsSpan().SequenceEqual(bytes))
            {
                return;
            }

            await layout.WriteAtomicallyAsync(path, bytes, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageLog.MetadataNotSaved(logger, path, ex);
        }
    }

    /// <summary>Every list kept, by its <see cref="NameOf"/>; a list that cannot be read is passed over.</summary>
    public IEnumerable<(string Name, byte[] Tags)> All()
    {
        var directory = Path.Combine(layout.MetadataDirectory, Directory);
        if (!System.IO.Directory.Exists(directory))
        {
            yield break;
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*.json"))
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            yield return (Path.GetFileNameWithoutExtension(file), bytes);
        }
    }

    /// <summary>A repository's list's name, which no repository name can turn into a path outside the directory (or a key of another kind).</summary>
    public static string NameOf(RepositoryKey repository) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repository.Value)));

    private string PathOf(RepositoryKey repository) => Path.Combine(layout.MetadataDirectory, Directory, NameOf(repository) + ".json");
}
