using Microsoft.Extensions.Options;

namespace Mirror.Cache.Tags;

/// <summary>Whether a tag's record is fresh enough to serve without asking the upstream (<c>mirror.tagttl</c>).</summary>
internal sealed class TagFreshness(IOptions<TagOptions> options, TimeProvider time)
{
    /// <summary>Whether <paramref name="record"/> was checked upstream within <paramref name="ttl"/>, or else <c>mirror.tagttl</c>.</summary>
    public bool IsFresh(TagRecord record, TimeSpan? ttl = null)
    {
        var within = ttl ?? options.Value.Ttl;
        return within > TimeSpan.Zero && time.GetUtcNow() - record.CheckedAt < within;
    }
}
