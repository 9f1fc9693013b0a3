namespace Mirror.Cache.Blobs;

/// <summary>A cluster node's fills: one node per registry and digest fetches, the others follow (<see cref="ClusterFill"/>).</summary>
internal sealed class ClusterFillRunner : IFillRunner
{
    public Task RunAsync(BlobFill fill, CancellationToken cancellationToken) => new ClusterFill(fill).RunAsync(cancellationToken);
}
