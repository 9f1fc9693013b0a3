using Mirror.Cache.Concurrency;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Cluster;

/// <summary>
/// The digests' guard of a cluster (<see cref="IObjectGuard"/>): a lease per digest (<c>object/&lt;digest&gt;</c>)
/// that every node asks for, so a sweep on one node never deletes an object between another node's completion
/// of its upload and that node's commit. While the coordinator cannot be asked, the guard is not had.
/// </summary>
internal sealed class ClusterObjectGuard(IClusterCoordinator cluster, TimeProvider time) : IObjectGuard
{
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public async Task<ObjectHold> HoldAsync(Digest digest, TimeSpan wait, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var attempt = await cluster.TryAcquireAsync($"object/{digest}", cluster.Node, LeaseTime, cancellationToken);
            if (attempt.Lease is { } lease)
            {
                return new ObjectHold(true, lease.DisposeAsync);
            }

            if (attempt.Unavailable || time.GetElapsedTime(started) >= wait)
            {
                return ObjectHold.NotHeld;
            }

            await Task.Delay(Poll, time, cancellationToken);
        }
    }
}
