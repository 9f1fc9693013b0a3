namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>How one image's prefetch ended: the manifests and blobs it went through, the bytes the mirror fetched for it and those it had already, or why it failed.</summary>
internal sealed record ImageResult(ImageReference Image, int Manifests, int Blobs, long FetchedBytes, long CachedBytes, TimeSpan Elapsed, string? Failure)
{
    public bool Succeeded => Failure is null;
}
