namespace Mirror.Cache.Blobs;

/// <summary>A single node's fills: this node fetches, writes, verifies and commits.</summary>
internal sealed class SoleFillRunner : IFillRunner
{
    public Task RunAsync(BlobFill fill, CancellationToken cancellationToken) => new FillCopy(fill).RunAsync(null, null, cancellationToken);
}
