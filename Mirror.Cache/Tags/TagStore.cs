using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;
using Mirror.Cache.Content;
using Mirror.Cache.Registry;

namespace Mirror.Cache.Tags;

/// <summary>Remembers tag -> digest for every tag the mirror resolved, behind <see cref="IDistributedCache"/>.</summary>
internal sealed class TagStore(IDistributedCache cache, TimeProvider time)
{
    public async Task<TagRecord?> TryFindAsync(RepositoryName repository, string tag, CancellationToken cancellationToken)
    {
        var bytes = await cache.GetAsync(Key(repository, tag), cancellationToken);
        return bytes is null ? null : JsonSerializer.Deserialize<TagRecord>(bytes);
    }

    public Task RememberAsync(RepositoryName repository, string tag, Digest digest, string mediaType, long length, CancellationToken cancellationToken)
    {
        var record = new TagRecord(digest.ToString(), mediaType, length, time.GetUtcNow());
        return cache.SetAsync(Key(repository, tag), JsonSerializer.SerializeToUtf8Bytes(record), new DistributedCacheEntryOptions(), cancellationToken);
    }

    private static string Key(RepositoryName repository, string tag) => $"tag:{repository}:{tag}";
}
