namespace Mirror.Cache.Blobs;

/// <summary>The fills running now, for whoever shows them (the status page).</summary>
public sealed class FillsInFlight
{
    private readonly BlobFillCoordinator _coordinator;

    internal FillsInFlight(BlobFillCoordinator coordinator) => _coordinator = coordinator;

    /// <summary>Each running fill's progress, the longest-running first.</summary>
    public IReadOnlyList<FillProgress> Now() => _coordinator.Progress();
}
