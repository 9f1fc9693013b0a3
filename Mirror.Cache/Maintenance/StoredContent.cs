using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Maintenance;

/// <summary>A committed file of the store, as its name and the directory walk give it: kind, digest and length.</summary>
public sealed record StoredContent(ContentKind Kind, Digest Digest, long Length);
