namespace Mirror.Gateway.Registry;

/// <summary>Reads another server's body into memory only up to a bound, so an answer without end costs at most that.</summary>
internal static class BoundedBody
{
    private const int ChunkBytes = 16 * 1024;

    /// <summary>
    /// The whole body, when it is at most <paramref name="limit"/> bytes; <c>null</c> when it is longer, having
    /// read no more than that (nothing at all when its <c>Content-Length</c> says so).
    /// </summary>
    public static async Task<byte[]?> ReadAsync(HttpContent content, long limit, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > limit)
        {
            return null;
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[ChunkBytes];
        int read;
        while ((read = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(ChunkBytes, limit - buffer.Length + 1)), cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
