using System.Collections.Concurrent;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>The guard of a store no other node shares: one lock per digest in the process, dropped when free.</summary>
internal sealed class LocalObjectGuard : IObjectGuard
{
    private readonly ConcurrentDictionary<Digest, SemaphoreSlim> _locks = new();

    public async Task<ObjectHold> HoldAsync(Digest digest, TimeSpan wait, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(digest, _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(wait, cancellationToken))
        {
            return ObjectHold.NotHeld;
        }

        return new ObjectHold(true, () =>
        {
            gate.Release();
            return ValueTask.CompletedTask;
        });
    }
}
