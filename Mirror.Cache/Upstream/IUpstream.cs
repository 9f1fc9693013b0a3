namespace Mirror.Cache.Upstream;

/// <summary>
/// One upstream registry as the cache reaches it: the port the gateway implements, for blobs, manifests,
/// tags and referrers. Names passed to it are the upstream's own (Docker Hub's <c>library/</c> already added).
/// </summary>
public interface IUpstream : IBlobSource, IManifestSource, ITagSource, IReferrersSource
{
}
