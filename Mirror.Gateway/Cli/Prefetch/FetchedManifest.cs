using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>A manifest as the mirror served it: its digest, media type and bytes, and whether it came from the store.</summary>
internal sealed record FetchedManifest(Digest Digest, string MediaType, byte[] Content, bool Cached);
