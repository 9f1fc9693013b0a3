using Microsoft.Net.Http.Headers;
using Mirror.Cache.Blobs;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.FrontProxy;
using Mirror.Gateway.Listening;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Blobs;

/// <summary>
/// <c>GET</c>/<c>HEAD /v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>, in HTTP: asks the <see cref="BlobCache"/>, then
/// serves a stored blob from its file (ranges, and <c>If-None-Match</c> as StaticFiles answers it), streams
/// a fill as its bytes arrive, answers a HEAD from what it was told, or writes the upstream's refusal. Behind
/// a front proxy with <c>mirror.accel</c>, a stored blob's body is left to that proxy (<see cref="AccelRedirect"/>);
/// with a bucket and <c>storage.redirect</c> on, a warm GET is sent there (<see cref="RedirectedBlob"/>).
/// A body is held to the minimum response rate (<see cref="ResponseRateWatch"/>), counted as each flush completes.
/// </summary>
internal sealed class BlobEndpoint(BlobCache blobs, CacheOutcomes outcomes, AccelRedirect accel, ResponseRates rates, ILogger<BlobEndpoint> logger)
{
    private const int CopyChunk = 256 * 1024;

    public async Task ServeAsync(HttpContext context, MirroredRegistry registry, RepositoryName clientName, Digest digest)
    {
        var name = registry.KeyOf(clientName);
        var upstream = registry.Client;
        var cancellationToken = context.RequestAborted;
        using var lookup = HttpMethods.IsHead(context.Request.Method)
            ? await blobs.DescribeAsync(upstream, name, digest, cancellationToken)
            : await blobs.OpenAsync(upstream, name, digest, cancellationToken);
        switch (lookup)
        {
            case StoredBlob stored:
                await ServeStoredAsync(context, digest, stored.Lease);
                break;
            case FillingBlob filling:
                await ServeFillAsync(context, digest, filling);
                break;
            case RedirectedBlob redirected:
                Redirect(context, digest, redirected);
                break;
            case DescribedBlob described:
                outcomes.Record(context, MirrorMetrics.Blob, described.Result);
                WriteHeaders(context, digest, new ByteRange(0, described.Length ?? 0, false), described.Length);
                break;
            case FailedBlob failed:
                await OciError.FromUpstream(failed.Status, OciErrorCode.BlobUnknown, failed.Error).WriteAsync(context);
                break;
        }
    }

    /// <summary>Serves a committed blob from its file, one range at most, counting the bytes sent.</summary>
    private async Task ServeStoredAsync(HttpContext context, Digest digest, StoreLease stored)
    {
        outcomes.Record(context, MirrorMetrics.Blob, CacheResult.Hit);
        if (IsNotModified(context, digest))
        {
            // RFC 9110 13.1.2: the client has this digest already.
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            context.Response.Headers.ETag = ETagOf(digest);
            context.Response.Headers[RegistryHeaders.ContentDigest] = digest.ToString();
            return;
        }

        var range = ByteRange.Resolve(context.Request.GetTypedHeaders().Range, stored.Length);
        if (range is null)
        {
            await NotSatisfiableAsync(context, stored.Length);
            return;
        }

        if (!HttpMethods.IsHead(context.Request.Method) && accel.For(context, stored) is { } handOver)
        {
            HandOver(context, digest, stored.Length, range.Value, handOver);
            return;
        }

        WriteHeaders(context, digest, range.Value, stored.Length);
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await CopyAsync(context, stored, range.Value);
        }
    }

    /// <summary>
    /// distribution's <c>storage.redirect</c>: 307 to the bucket's presigned URL, which alone grants the bytes
    /// (the repository's authorisation came first); RFC 9110 15.4.8 keeps the method, so the client GETs there.
    /// </summary>
    private void Redirect(HttpContext context, Digest digest, RedirectedBlob redirected)
    {
        outcomes.Record(context, MirrorMetrics.Blob, redirected.Result);
        context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        context.Response.Headers.Location = redirected.Location.AbsoluteUri;
        context.Response.Headers[RegistryHeaders.ContentDigest] = digest.ToString();
        BlobResponseLog.RedirectedToBucket(logger, digest, redirected.Length);
    }

    /// <summary>
    /// Leaves the body to the front proxy, which sends the file by sendfile, applying the Range itself (as
    /// nginx's static files do for an X-Accel-Redirect) and setting the length it sends: the mirror writes no
    /// body and no Content-Length of the blob's, only the registry's headers. The blob is committed, so verified.
    /// </summary>
    private void HandOver(HttpContext context, Digest digest, long length, ByteRange range, KeyValuePair<string, string> handOver)
    {
        WriteHeaders(context, digest, new ByteRange(0, length, false), length: null);

        // Accept-Ranges too is the front server's to announce (nginx adds its own, and would send both).
        context.Response.Headers.Remove(HeaderNames.AcceptRanges);
        context.Response.Headers[handOver.Key] = handOver.Value;
        outcomes.Sent(context, MirrorMetrics.Blob, range.Length);
        BlobResponseLog.HandedToFrontProxy(logger, digest, handOver.Key, handOver.Value);
    }

    /// <summary>Copies <paramref name="range"/> of the stored file to the response, counting the bytes sent.</summary>
    private async Task CopyAsync(HttpContext context, StoreLease stored, ByteRange range)
    {
        using var file = File.OpenHandle(stored.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        using var watch = rates.Watch(context);
        var body = context.Response.BodyWriter;
        var position = range.Start;
        var cancellationToken = context.RequestAborted;
        while (position < range.End)
        {
            var memory = body.GetMemory(CopyChunk);
            // Synchronous: a warm blob is in the page cache, and a thread-pool hop per chunk costs more than the copy.
            var read = RandomAccess.Read(file, memory.Span[..(int)Math.Min(memory.Length, range.End - position)], position);
            if (read == 0)
            {
                break;
            }

            // Counted as handed to the server, before the flush that lets the client see them.
            body.Advance(read);
            position += read;
            outcomes.Sent(context, MirrorMetrics.Blob, read);
            await body.FlushAsync(cancellationToken);
            watch?.Sent(read);
        }
    }

    private async Task ServeFillAsync(HttpContext context, Digest digest, FillingBlob filling)
    {
        var length = filling.Length;
        var range = length is { } known
            ? ByteRange.Resolve(context.Request.GetTypedHeaders().Range, known)
            : new ByteRange(0, long.MaxValue, false);
        if (range is null)
        {
            await NotSatisfiableAsync(context, length);
            return;
        }

        outcomes.Record(context, MirrorMetrics.Blob, filling.Result);
        WriteHeaders(context, digest, range.Value, length);
        await StreamAsync(context, digest, filling, range.Value);
    }

    /// <summary>Streams <paramref name="range"/> of a fill as its bytes arrive; a fill that fails cuts the connection.</summary>
    private async Task StreamAsync(HttpContext context, Digest digest, FillingBlob filling, ByteRange range)
    {
        using var watch = rates.Watch(context);
        var body = context.Response.BodyWriter;
        var position = range.Start;
        var cancellationToken = context.RequestAborted;
        while (true)
        {
            // Waiting for the upstream's bytes is not the client's slowness.
            watch?.Pause();
            var read = await filling.Reader.ReadAsync(body.GetMemory(CopyChunk), position, range.End, cancellationToken);
            watch?.Resume();
            if (read.Failed)
            {
                // Headers and most of the body are out: the only honest end is a broken connection, which
                // clients see as a failed download, never as a complete one.
                BlobResponseLog.ResponseAborted(logger, digest, position, read.Reason!);
                context.Abort();
                return;
            }

            if (read.Count == 0)
            {
                return;
            }

            body.Advance(read.Count);
            position += read.Count;
            outcomes.Sent(context, MirrorMetrics.Blob, read.Count);
            await body.FlushAsync(cancellationToken);
            watch?.Sent(read.Count);
        }
    }

    private static bool IsNotModified(HttpContext context, Digest digest) =>
        context.Request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } tags
        && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(new EntityTagHeaderValue(ETagOf(digest)), useStrongComparison: false));

    private static string ETagOf(Digest digest) => $"\"{digest}\"";

    private static Task NotSatisfiableAsync(HttpContext context, long? length)
    {
        context.Response.Headers.ContentRange = $"bytes */{length}";
        return new OciError(StatusCodes.Status416RangeNotSatisfiable, OciErrorCode.SizeInvalid, "requested range not satisfiable").WriteAsync(context);
    }

    private static void WriteHeaders(HttpContext context, Digest digest, ByteRange range, long? length)
    {
        var response = context.Response;
        response.StatusCode = range.Partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        response.ContentType = MediaTypes.OctetStream;
        response.ContentLength = length is null ? null : range.Length;
        if (range.Partial)
        {
            response.Headers.ContentRange = $"bytes {range.Start}-{range.End - 1}/{length}";
        }

        response.Headers.AcceptRanges = "bytes";
        response.Headers[RegistryHeaders.ContentDigest] = digest.ToString();
        response.Headers.ETag = ETagOf(digest);
    }
}
