using System.Collections.Concurrent;
using Mirror.Cache.Quota;

namespace Mirror.Cache.Watch;

/// <summary>What this node's watcher met in each watched tag's last round: a deferral (and how many so far), or a failure.</summary>
internal sealed class WatchBoard
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public void Deferred(WatchedImage image, PullDeferral deferral) =>
        _entries.AddOrUpdate(image.ToString(), _ => new Entry(deferral, 1, null), (_, e) => new Entry(deferral, e.Deferrals + 1, null));

    public void Failed(WatchedImage image, string problem) =>
        _entries.AddOrUpdate(image.ToString(), _ => new Entry(null, 0, problem), (_, e) => e with { Deferral = null, Problem = problem });

    public void Done(WatchedImage image) =>
        _entries.AddOrUpdate(image.ToString(), _ => new Entry(null, 0, null), (_, e) => e with { Deferral = null, Problem = null });

    public Entry Of(WatchedImage image) => _entries.GetValueOrDefault(image.ToString()) ?? new Entry(null, 0, null);

    internal sealed record Entry(PullDeferral? Deferral, long Deferrals, string? Problem);
}
