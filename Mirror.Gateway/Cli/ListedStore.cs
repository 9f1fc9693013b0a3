namespace Mirror.Gateway.Cli;

/// <summary><c>ls --json</c>: the store's totals and its repositories.</summary>
internal sealed record ListedStore(string Root, long Blobs, long Manifests, long Bytes, long UnclaimedFiles, long UnclaimedBytes, IEnumerable<ListedRepository> Repositories);
