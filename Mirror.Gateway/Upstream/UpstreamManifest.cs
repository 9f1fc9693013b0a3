using Mirror.Cache.Content;
using Mirror.Cache.Fills;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// The upstream's answer for a manifest: for a HEAD its digest, type and length; for a GET also its bytes,
/// which <see cref="Digest"/> has been computed from (and checked against the asked-for digest).
/// </summary>
internal sealed record UpstreamManifest(SourceStatus Status, Digest? Digest, string? MediaType, long? Length, ReadOnlyMemory<byte> Content, string? Detail)
{
    /// <summary>Docker Hub's rate-limit headers on the upstream's answer, passed on to the client.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> RateLimit { get; init; } = [];

    public static UpstreamManifest Failed(SourceStatus status, string? detail) => new(status, null, null, null, ReadOnlyMemory<byte>.Empty, detail);
}
