using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Tags;

/// <summary>A repository's tags, as the upstream listed them now (<see cref="CacheResult.Bypass"/>) or last (<see cref="CacheResult.Stale"/>), or the upstream's refusal.</summary>
public sealed record TagListLookup(CacheResult Result, IReadOnlyList<string> Tags, SourceStatus Status, UpstreamError? Error)
{
    public bool Found => Status == SourceStatus.Found;
}
