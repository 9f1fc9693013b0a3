namespace Mirror.Cache.Upstream;

/// <summary>
/// One upstream answer for a blob: a status and, when found, the body starting at <see cref="Offset"/>.
/// Disposing it releases the connection.
/// </summary>
public sealed class UpstreamBlob : IDisposable
{
    private readonly IDisposable? _owner;

    private UpstreamBlob(SourceStatus status, UpstreamBody? body, long offset, long? totalLength, UpstreamError? error, IDisposable? owner)
    {
        Status = status;
        Body = body;
        Offset = offset;
        TotalLength = totalLength;
        Error = error;
        _owner = owner;
    }

    public SourceStatus Status { get; }

    /// <summary>The body when <see cref="Status"/> is <see cref="SourceStatus.Found"/>.</summary>
    public UpstreamBody? Body { get; }

    /// <summary>Where in the blob the body starts: the requested offset for a 206, 0 for a 200.</summary>
    public long Offset { get; }

    /// <summary>The whole blob's length, when the upstream said it.</summary>
    public long? TotalLength { get; }

    public UpstreamError? Error { get; }

    public static UpstreamBlob Found(UpstreamBody body, long offset, long? totalLength, IDisposable? owner) =>
        new(SourceStatus.Found, body, offset, totalLength, null, owner);

    public static UpstreamBlob Failed(SourceStatus status, UpstreamError? error) => new(status, null, 0, null, error, null);

    public void Dispose()
    {
        Body?.Dispose();
        _owner?.Dispose();
    }
}
