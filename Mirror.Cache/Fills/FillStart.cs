namespace Mirror.Cache.Fills;

/// <summary>How a fill began: the upstream's answer and, when found, the blob's length if it was announced.</summary>
internal sealed record FillStart(SourceStatus Status, long? Length, string? Detail);
