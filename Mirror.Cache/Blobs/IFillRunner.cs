namespace Mirror.Cache.Blobs;

/// <summary>
/// How a fill runs: fetched here (<see cref="SoleFillRunner"/>, a single node), or coordinated with the
/// other nodes of a cluster (<see cref="ClusterFillRunner"/>); chosen once in composition.
/// </summary>
internal interface IFillRunner
{
    /// <summary>Runs <paramref name="fill"/> to its outcome. Never throws; the outcome is in <see cref="BlobFill.Stage"/>.</summary>
    Task RunAsync(BlobFill fill, CancellationToken cancellationToken);
}
