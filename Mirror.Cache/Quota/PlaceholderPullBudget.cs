namespace Mirror.Cache.Quota;

/// <summary>
/// A stand-in for the pull budget until the quota's own (#19, items 1, 2 and 4) is composed: it never defers
/// background work, on any upstream, since nothing here keeps the quota yet. Registered only when the host
/// registers no <see cref="IPullBudget"/> (<see cref="CacheServiceCollectionExtensions.AddImageWatcher"/>).
/// </summary>
internal sealed class PlaceholderPullBudget : IPullBudget
{
    public PullDeferral? DeferBackground(string upstream) => null;
}
