namespace Mirror.Cache.Concurrency;

/// <summary>The flight of a single node: no other node asks, so the work is always done here.</summary>
internal sealed class SoleFlight : ISharedFlight
{
    public Task<T> RunAsync<T>(
        string name,
        Func<CancellationToken, Task<T>> work,
        Func<T, Task> share,
        Func<DateTimeOffset, CancellationToken, Task<T?>> answered,
        CancellationToken cancellationToken)
        where T : class => work(cancellationToken);
}
