using Mirror.Cache.Watch;

namespace Mirror.Gateway.Status;

/// <summary>The watched images (<c>mirror.watch</c>): which node watches, each tag's state, and the bytes pins keep (<c>mirror_pinned_bytes</c>).</summary>
internal sealed record WatchState(string? Watcher, IReadOnlyList<WatchedTagState> Tags, long? PinnedBytes);
