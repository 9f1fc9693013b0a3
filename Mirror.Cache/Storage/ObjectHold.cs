namespace Mirror.Cache.Storage;

/// <summary>A digest's guard (<see cref="IObjectGuard"/>), held until disposed; or that it could not be had.</summary>
internal sealed class ObjectHold(bool held, Func<ValueTask>? release) : IAsyncDisposable
{
    /// <summary>The guard could not be had: the wait ran out, or nobody could be asked.</summary>
    public static readonly ObjectHold NotHeld = new(false, null);

    /// <summary>Whether the guard is this caller's until disposed.</summary>
    public bool Held { get; } = held;

    public ValueTask DisposeAsync() => release?.Invoke() ?? ValueTask.CompletedTask;
}
