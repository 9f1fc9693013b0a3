using Mirror.Cache.Protocol;

namespace Mirror.Cache.Watch;

/// <summary>
/// One entry of <c>mirror.watch</c>: a tag the mirror keeps warm, checked every <paramref name="Interval"/>.
/// </summary>
/// <param name="Repository">The repository as the store keys it (the upstream's own name, under its registry).</param>
/// <param name="Tag">The tag checked.</param>
/// <param name="Interval">How often the tag is checked upstream (one HEAD); at least a second.</param>
/// <param name="Platforms">
/// The platforms fetched from a list or index (<c>os/architecture[/variant]</c>; <c>linux/arm64</c> takes every
/// variant); <c>null</c> for those clients pulled under the tag before, else the mirror's own.
/// </param>
public sealed record WatchedImage(RepositoryKey Repository, string Tag, TimeSpan Interval, IReadOnlyList<string>? Platforms = null)
{
    /// <summary>The image as people read it: <c>library/nginx:1.27</c>, <c>ghcr.io/org/app:stable</c>.</summary>
    public override string ToString() => $"{Repository}:{Tag}";
}
