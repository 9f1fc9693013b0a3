using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>What an image's prefetch will fetch once its manifests are read: the platforms chosen and each distinct blob with its announced size.</summary>
internal sealed record ImagePlan(IReadOnlyList<string> Platforms, IReadOnlyList<(Digest Digest, long Size)> Blobs)
{
    public long Bytes => Blobs.Sum(b => b.Size);
}
