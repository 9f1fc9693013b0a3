using Mirror.Cache.Upstream;

namespace Mirror.Cache.Blobs;

/// <summary>How a fill began: the upstream's answer and, when found, the blob's length if it was announced.</summary>
internal sealed record FillStart(SourceStatus Status, long? Length, UpstreamError? Error);
