using System.Globalization;
using Microsoft.Extensions.Options;
using Mirror.Cache.Blobs;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Cluster;

/// <summary>
/// <c>GET /_mirror/fills/&lt;digest&gt;?registry=..&amp;from=N</c>, for the other nodes of a cluster on a bucket:
/// the bytes of this node's fill from byte N on, as they arrive (the last held back until the blob verified,
/// and the connection cut if the fill fails), or of the stored blob once committed. Only a request signed
/// with <c>http.secret</c> for that registry and digest, stamped within a minute, is answered
/// (<see cref="NodeSignature"/>); any other gets 401, and so does every request to a node without the secret.
/// </summary>
internal sealed class FillStreamEndpoint(BlobCache blobs, IOptions<ClusterOptions> options, TimeProvider time, ILogger<FillStreamEndpoint> logger)
{
    private const int CopyChunk = 256 * 1024;

    public async Task ServeAsync(HttpContext context, string digest)
    {
        var registry = context.Request.Query["registry"] is { Count: 1 } named ? named[0] : null;
        var from = long.TryParse(context.Request.Query["from"], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : 0;
        if (Digest.TryParse(digest) is not { } parsed)
        {
            await OciError.DigestInvalid($"'{OciError.Printable(digest)}' is not a sha256 or sha512 digest").WriteAsync(context);
            return;
        }

        if (!NodeSignature.Verify(options.Value.Secret, context.Request.Headers.Authorization, FillPeerOptions.Subject(registry, parsed), time.GetUtcNow()))
        {
            FillStreamLog.Refused(logger, parsed, context.Connection.RemoteIpAddress?.ToString());
            await OciError.Unauthorized("a node's request for a fill must be signed with the cluster's http.secret").WriteAsync(context);
            return;
        }

        using var lookup = await blobs.OpenForNodeAsync(registry, parsed, context.RequestAborted);
        switch (lookup)
        {
            case FillingBlob filling:
                await StreamAsync(context, parsed, filling, from);
                break;
            case StoredBlob stored:
                context.Response.ContentLength = Math.Max(0, stored.Lease.Length - from);
                await context.Response.SendFileAsync(stored.Lease.Path, Math.Min(from, stored.Lease.Length), context.Response.ContentLength, context.RequestAborted);
                break;
            case FailedBlob failed:
                await OciError.NotFound(OciErrorCode.BlobUnknown, failed.Error?.Message ?? "no fill of it runs on this node").WriteAsync(context);
                break;
        }
    }

    /// <summary>Streams the fill from <paramref name="from"/> as it arrives; a fill that fails cuts the connection.</summary>
    private async Task StreamAsync(HttpContext context, Digest digest, FillingBlob filling, long from)
    {
        var end = filling.Length ?? long.MaxValue;
        context.Response.ContentLength = filling.Length is { } length ? Math.Max(0, length - from) : null;
        FillStreamLog.Streaming(logger, digest, context.Connection.RemoteIpAddress?.ToString(), from);
        var body = context.Response.BodyWriter;
        for (var position = from; ;)
        {
            var read = await filling.Reader.ReadAsync(body.GetMemory(CopyChunk), position, end, context.RequestAborted);
            if (read.Failed)
            {
                // Never a complete body of bytes that did not verify: the follower sees a broken stream.
                context.Abort();
                return;
            }

            if (read.Count == 0)
            {
                return;
            }

            body.Advance(read.Count);
            position += read.Count;
            await body.FlushAsync(context.RequestAborted);
        }
    }
}
