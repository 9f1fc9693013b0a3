using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Tags;

/// <summary>
/// The last tag list of each repository, a file each in <c>metadata/taglists/</c> (the truth on a single
/// node), rewritten by temp file and rename when the list changes; read back only to serve it stale.
/// </summary>
internal sealed class TagListStore(StoreLayout layout, ILogger<TagListStore> logger)
{
    private const string Directory = "taglists";

    public async Task<IReadOnlyList<string>?> TryFindAsync(RepositoryKey repository, CancellationToken cancellationToken)
    {
        try
        {
            return JsonSerializer.Deserialize<List<string>>(await File.ReadAllBytesAsync(PathOf(repository), cancellationToken));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    public async Task RememberAsync(RepositoryKey repository, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(tags);
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

    /// <summary>A file name that no repository name can turn into a path outside the directory.</summary>
    private string PathOf(RepositoryKey repository) =>
        Path.Combine(layout.MetadataDirectory, Directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repository.Value))) + ".json");
}
