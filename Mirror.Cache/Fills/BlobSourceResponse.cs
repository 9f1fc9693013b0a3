namespace Mirror.Cache.Fills;

/// <summary>
/// One upstream answer for a blob: a status and, when found, the body starting at <see cref="Offset"/>.
/// Disposing it releases the connection.
/// </summary>
internal sealed class BlobSourceResponse : IDisposable
{
    private readonly IDisposable? _owner;

    private BlobSourceResponse(SourceStatus status, Stream? body, long offset, long? totalLength, string? detail, IDisposable? owner)
    {
        Status = status;
        Body = body;
        Offset = offset;
        TotalLength = totalLength;
        Detail = detail;
        _owner = owner;
    }

    public SourceStatus Status { get; }

    /// <summary>The body when <see cref="Status"/> is <see cref="SourceStatus.Found"/>.</summary>
    public Stream? Body { get; }

    /// <summary>Where in the blob the body starts: the requested offset for a 206, 0 for a 200.</summary>
    public long Offset { get; }

    /// <summary>The whole blob's length, when the upstream said it.</summary>
    public long? TotalLength { get; }

    /// <summary>The upstream's own words on a failure, for logs and for the client's error detail.</summary>
    public string? Detail { get; }

    public static BlobSourceResponse Found(Stream body, long offset, long? totalLength, IDisposable? owner) =>
        new(SourceStatus.Found, body, offset, totalLength, null, owner);

    public static BlobSourceResponse Failed(SourceStatus status, string? detail) => new(status, null, 0, null, detail, null);

    public void Dispose()
    {
        Body?.Dispose();
        _owner?.Dispose();
    }
}
