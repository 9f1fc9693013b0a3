namespace Mirror.Gateway.Cli;

/// <summary><c>ls --json</c>: the store's totals and its repositories; on a bucket, also the images nothing names (<c>null</c> elsewhere).</summary>
internal sealed record ListedStore(string Root, long Blobs, long Manifests, long Bytes, long UnclaimedFiles, long UnclaimedBytes, IEnumerable<ListedRepository> Repositories, IEnumerable<ListedImage>? ByDigest);
