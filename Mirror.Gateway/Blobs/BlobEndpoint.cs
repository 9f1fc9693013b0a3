using System.Buffers;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Content;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Fills;
using Mirror.Cache.Registry;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Blobs;

/// <summary>
/// <c>GET</c>/<c>HEAD /v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>. A stored blob is served from its file with
/// range support; a missing one joins (or starts) the single fill for its digest and streams from it as the
/// bytes arrive. A HEAD for a missing blob stays a HEAD upstream and fills nothing.
/// </summary>
internal sealed class BlobEndpoint(UpstreamClient upstream, ContentStore store, BlobFillCoordinator fills, RepositoryLinks links, CacheOutcomes outcomes, ILogger<BlobEndpoint> logger)
{
    private const int CopyChunk = 256 * 1024;

    public async Task ServeAsync(HttpContext context, RepositoryName clientName, Digest digest)
    {
        var name = upstream.UpstreamName(clientName);
        if (store.TryOpenBlob(digest) is { } stored)
        {
            using (stored)
            {
                if (await ConfirmAsync(context, name, digest))
                {
                    await ServeStoredAsync(context, digest, stored);
                }
            }

            return;
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            // A fill under way already knows what a HEAD asks: no need to ask the upstream again, when the
            // repository is known to hold the blob (else the upstream's HEAD below is what confirms it).
            using (var running = links.Holds(name, digest) ? fills.TryJoinRunning(digest) : null)
            {
                if (running is not null && (await running.Started.WaitAsync(context.RequestAborted)).Status == SourceStatus.Found && running.Length is { } length)
                {
                    outcomes.Record(context, MirrorMetrics.Blob, running.IsVerified ? CacheResult.Hit : CacheResult.Coalesced);
                    WriteHeaders(context, digest, new ByteRange(0, length, false), length);
                    return;
                }
            }

            // A fill that committed (and left) between the look-up above and the join.
            using (var landed = links.Holds(name, digest) ? store.TryOpenBlob(digest) : null)
            {
                if (landed is not null)
                {
                    await ServeStoredAsync(context, digest, landed);
                    return;
                }
            }

            var head = await upstream.HeadBlobAsync(name, digest, context.RequestAborted);
            if (head.Status != SourceStatus.Found)
            {
                await OciError.FromUpstream(head.Status, OciErrorCode.BlobUnknown, head.Detail).WriteAsync(context);
                return;
            }

            links.Link(name, digest);
            outcomes.Record(context, MirrorMetrics.Blob, CacheResult.Miss);
            WriteHeaders(context, digest, new ByteRange(0, head.Length ?? 0, false), head.Length);
            return;
        }

        using var reader = fills.Join(name, digest, out var joined);
        if (reader is not null)
        {
            // A fill another request started under another name: this name must hold the blob too.
            if (joined && reader.Repository != name && !await ConfirmAsync(context, name, digest))
            {
                return;
            }

            // Joining a fill that has verified is a hit: every byte is local, only not renamed into place yet.
            var result = joined && reader.IsVerified ? CacheResult.Hit : joined ? CacheResult.Coalesced : CacheResult.Miss;
            await ServeFillAsync(context, digest, reader, result);
            return;
        }

        // A fill committed between the look-up and the join.
        using var committed = store.TryOpenBlob(digest);
        if (committed is null)
        {
            await new OciError(StatusCodes.Status503ServiceUnavailable, OciErrorCode.Unavailable, "the blob is being replaced in the store; try again").WriteAsync(context);
        }
        else if (await ConfirmAsync(context, name, digest))
        {
            await ServeStoredAsync(context, digest, committed);
        }
    }

    /// <summary>
    /// Whether <paramref name="name"/> may be served <paramref name="digest"/> from the store: known to hold
    /// it, or confirmed now by the upstream (and remembered). Otherwise the upstream's answer is written.
    /// </summary>
    private async Task<bool> ConfirmAsync(HttpContext context, RepositoryName name, Digest digest)
    {
        if (links.Holds(name, digest))
        {
            return true;
        }

        var head = await upstream.HeadBlobAsync(name, digest, context.RequestAborted);
        if (head.Status == SourceStatus.Found)
        {
            links.Link(name, digest);
            return true;
        }

        await OciError.FromUpstream(head.Status, OciErrorCode.BlobUnknown, head.Detail).WriteAsync(context);
        return false;
    }

    /// <summary>Serves a committed blob from its file, one range at most, counting the bytes sent.</summary>
    private async Task ServeStoredAsync(HttpContext context, Digest digest, StoreLease stored)
    {
        outcomes.Record(context, MirrorMetrics.Blob, CacheResult.Hit);
        var range = ByteRange.Resolve(context.Request.GetTypedHeaders().Range, stored.Length);
        if (range is null)
        {
            await NotSatisfiableAsync(context, stored.Length);
            return;
        }

        WriteHeaders(context, digest, range.Value, stored.Length);
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        using var file = File.OpenHandle(stored.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        var body = context.Response.BodyWriter;
        var position = range.Value.Start;
        var cancellationToken = context.RequestAborted;
        while (position < range.Value.End)
        {
            var memory = body.GetMemory(CopyChunk);
            // Synchronous: a warm blob is in the page cache, and a thread-pool hop per chunk costs more than the copy.
            var read = RandomAccess.Read(file, memory.Span[..(int)Math.Min(memory.Length, range.Value.End - position)], position);
            if (read == 0)
            {
                break;
            }

            // Counted as handed to the server, before the flush that lets the client see them.
            body.Advance(read);
            position += read;
            outcomes.Sent(context, MirrorMetrics.Blob, read);
            await body.FlushAsync(cancellationToken);
        }
    }

    private static Task NotSatisfiableAsync(HttpContext context, long? length)
    {
        context.Response.Headers.ContentRange = $"bytes */{length}";
        return new OciError(StatusCodes.Status416RangeNotSatisfiable, OciErrorCode.SizeInvalid, "requested range not satisfiable").WriteAsync(context);
    }

    private async Task ServeFillAsync(HttpContext context, Digest digest, FillReader reader, CacheResult result)
    {
        var cancellationToken = context.RequestAborted;
        var start = await reader.Started.WaitAsync(cancellationToken);
        if (start.Status != SourceStatus.Found)
        {
            await OciError.FromUpstream(start.Status, OciErrorCode.BlobUnknown, start.Detail).WriteAsync(context);
            return;
        }

        var length = reader.Length;
        var range = length is { } known
            ? ByteRange.Resolve(context.Request.GetTypedHeaders().Range, known)
            : new ByteRange(0, long.MaxValue, false);
        if (range is null)
        {
            await NotSatisfiableAsync(context, length);
            return;
        }

        outcomes.Record(context, MirrorMetrics.Blob, result);
        WriteHeaders(context, digest, range.Value, length);
        var body = context.Response.BodyWriter;
        var position = range.Value.Start;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(body.GetMemory(CopyChunk), position, range.Value.End, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                body.Advance(read);
                position += read;
                outcomes.Sent(context, MirrorMetrics.Blob, read);
                await body.FlushAsync(cancellationToken);
            }
        }
        catch (FillFailedException ex)
        {
            // Headers and most of the body are out: the only honest end is a broken connection, which
            // clients see as a failed download, never as a complete one.
            GatewayLog.ResponseAborted(logger, digest, position, ex.Message);
            context.Abort();
        }
    }

    private static void WriteHeaders(HttpContext context, Digest digest, ByteRange range, long? length)
    {
        var response = context.Response;
        response.StatusCode = range.Partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        response.ContentType = Cache.Registry.MediaTypes.OctetStream;
        response.ContentLength = length is null ? null : range.Length;
        if (range.Partial)
        {
            response.Headers.ContentRange = $"bytes {range.Start}-{range.End - 1}/{length}";
        }

        response.Headers.AcceptRanges = "bytes";
        response.Headers[RegistryHeaders.ContentDigest] = digest.ToString();
        response.Headers.ETag = $"\"{digest}\"";
    }
}
