using System.Text.Json;
using Mirror.Cache.Protocol;
using Mirror.Cache.Tags;
using StackExchange.Redis;

namespace Mirror.Cache.Cluster;

/// <summary>
/// The tag lists of a cluster: Redis holds each repository's last list (a hash field per repository, named
/// as its file is), whichever node listed it; the files in the metadata directory (<see cref="TagListFiles"/>)
/// keep them too, answer while Redis cannot be asked, and seed a Redis that lost its records.
/// </summary>
internal sealed class ClusterTagLists(TagListFiles files, RedisRecords redis) : ITagListStore
{
    public async Task<IReadOnlyList<string>?> TryFindAsync(RepositoryKey repository, CancellationToken cancellationToken)
    {
        try
        {
            var value = await redis.Database.HashGetAsync(RedisKeys.TagLists, TagListFiles.NameOf(repository));
            if (value.HasValue)
            {
                return JsonSerializer.Deserialize((byte[])value!, TagJson.Default.ListString);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            redis.ReadFailed();
        }

        return await files.TryFindAsync(repository, cancellationToken);
    }

    public async Task RememberAsync(RepositoryKey repository, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        await files.RememberAsync(repository, tags, cancellationToken);
        try
        {
            await redis.Database.HashSetAsync(RedisKeys.TagLists, TagListFiles.NameOf(repository), JsonSerializer.SerializeToUtf8Bytes(tags, TagJson.Default.ListString));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            redis.WriteFailed();
        }
    }

    /// <summary>Writes every list the files hold to Redis, where Redis has none; how many. Throws when Redis cannot be asked.</summary>
    public async Task<int> SeedAsync(CancellationToken cancellationToken)
    {
        var database = redis.Database;
        var count = 0;
        foreach (var chunk in files.All().Chunk(1000))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.WhenAll(chunk.Select(list => database.HashSetAsync(RedisKeys.TagLists, list.Name, list.Tags, When.NotExists)));
            count += chunk.Length;
        }

        return count;
    }
}
