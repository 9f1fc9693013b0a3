namespace Mirror.Gateway.Cli;

/// <summary><c>ls --json</c>: one repository, its images, its blobs and its last pull.</summary>
internal sealed record ListedRepository(string Name, IEnumerable<ListedImage> Images, int Blobs, long BlobBytes, DateTimeOffset? LastPull);
