using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Tags;

/// <summary>Tag lists are the upstream's, asked every time; the last one is kept and served, marked stale, while the upstream cannot be asked.</summary>
public sealed class TagListResolver
{
    private readonly ITagListStore _lists;

    internal TagListResolver(ITagListStore lists) => _lists = lists;

    public async Task<TagListLookup> ListAsync(ITagSource upstream, RepositoryKey repository, CancellationToken cancellationToken)
    {
        var list = await upstream.GetTagsAsync(repository.Name, cancellationToken);
        if (list.Status == SourceStatus.Found)
        {
            await _lists.RememberAsync(repository, list.Tags, CancellationToken.None);
            return new TagListLookup(CacheResult.Bypass, list.Tags, SourceStatus.Found, null);
        }

        if (list.Status is SourceStatus.Unavailable or SourceStatus.TooManyRequests && await _lists.TryFindAsync(repository, cancellationToken) is { } known)
        {
            return new TagListLookup(CacheResult.Stale, known, SourceStatus.Found, null);
        }

        return new TagListLookup(CacheResult.None, [], list.Status, list.Error);
    }
}
