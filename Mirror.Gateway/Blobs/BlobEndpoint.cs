using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.Win32.SafeHandles;
using Mirror.Cache.Blobs;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Policy;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.FrontProxy;
using Mirror.Gateway.Listening;
using Mirror.Gateway.Policy;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Blobs;

/// <summary>
/// <c>GET</c>/<c>HEAD /v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>, in HTTP: asks the <see cref="BlobCache"/>, then
/// serves a stored blob from its file (ranges, several as <c>multipart/byteranges</c> up to
/// <c>mirror.limits.maxranges</c>, <c>If-Range</c>, and <c>If-None-Match</c> as StaticFiles answers it),
/// streams a fill as its bytes arrive (a range at once, from the fill or the upstream), answers a HEAD from
/// what it was told, or writes the upstream's refusal. Behind a front proxy with <c>mirror.accel</c>, a stored
/// blob's body is left to that proxy (<see cref="AccelRedirect"/>);
/// with a bucket and <c>storage.redirect</c> on, a warm GET is sent there (<see cref="RedirectedBlob"/>). A body is held to the minimum response
/// rate (<see cref="ResponseRateWatch"/>), counted as each flush completes.
/// </summary>
internal sealed class BlobEndpoint(BlobCache blobs, PolicyGate policy, CacheOutcomes outcomes, AccelRedirect accel, ResponseRates rates, IOptions<ServerOptions> server, ILogger<BlobEndpoint> logger)
{
    private const int CopyChunk = 256 * 1024;

    public async Task ServeAsync(HttpContext context, MirroredRegistry registry, RepositoryName clientName, Digest digest)
    {
        var name = registry.KeyOf(clientName);
        var upstream = registry.Client;
        var cancellationToken = context.RequestAborted;
        if (policy.IsOn && policy.CheckBlob(name, PolicyNames.Of(registry, clientName), digest) is { Allowed: false } refused)
        {
            // mirror.policy: under a sigstore rule, only what a served manifest names (no HEAD upstream, no fill).
            await OciError.Denied(refused.Reason).WriteAsync(context);
            return;
        }

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

    /// <summary>Serves a committed blob from its file: whole, one range, or several as <c>multipart/byteranges</c>; counting the bytes sent.</summary>
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

        var selection = Select(context, digest, stored.Length);
        if (!selection.Satisfiable)
        {
            await NotSatisfiableAsync(context, stored.Length);
            return;
        }

        var head = HttpMethods.IsHead(context.Request.Method);
        if (!head && accel.For(context, stored) is { } handOver)
        {
            HandOver(context, digest, stored.Length, selection.Ranges.Sum(r => r.Length), handOver);
            return;
        }

        var multipart = WriteHeaders(context, digest, selection, stored.Length);
        if (!head)
        {
            using var file = File.OpenHandle(stored.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            using var watch = rates.Watch(context);
            await SendPartsAsync(context, selection.Ranges, multipart, range => CopyAsync(context, file, range, watch));
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
    private void HandOver(HttpContext context, Digest digest, long length, long sending, KeyValuePair<string, string> handOver)
    {
        WriteHeaders(context, digest, new ByteRange(0, length, false), length: null);

        // Accept-Ranges too is the front server's to announce (nginx adds its own, and would send both).
        context.Response.Headers.Remove(HeaderNames.AcceptRanges);
        context.Response.Headers[handOver.Key] = handOver.Value;
        outcomes.Sent(context, MirrorMetrics.Blob, sending);
        BlobResponseLog.HandedToFrontProxy(logger, digest, handOver.Key, handOver.Value);
    }

    /// <summary>Copies <paramref name="range"/> of the stored file to the response, counting the bytes sent.</summary>
    private async Task<bool> CopyAsync(HttpContext context, SafeFileHandle file, ByteRange range, ResponseRateWatch? watch)
    {
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

        return true;
    }

    /// <summary>
    /// Streams a fill: the whole blob (or a range that is all of it) with its last byte held back until the
    /// blob verified; a range, or each of several, from the fill's bytes as they land or a ranged upstream
    /// request, not held back (<see cref="BlobRangeReader"/>: the clients that ask for ranges verify them).
    /// </summary>
    private async Task ServeFillAsync(HttpContext context, Digest digest, FillingBlob filling)
    {
        var length = filling.Length;
        var selection = length is { } known ? Select(context, digest, known) : RangeSelection.Whole(long.MaxValue);
        if (!selection.Satisfiable)
        {
            await NotSatisfiableAsync(context, length);
            return;
        }

        outcomes.Record(context, MirrorMetrics.Blob, filling.Result);
        var multipart = WriteHeaders(context, digest, selection, length);
        using var watch = rates.Watch(context);
        await SendPartsAsync(context, selection.Ranges, multipart, range => length is null || range.IsWhole(length.Value)
            ? StreamAsync(context, digest, range, watch, (buffer, position, token) => filling.Reader.ReadAsync(buffer, position, range.End, token))
            : StreamRangeAsync(context, digest, filling, range, watch));
    }

    /// <summary>Streams one range of a fill (<see cref="BlobRangeReader"/>), saying so when it is asked of the upstream.</summary>
    private async Task<bool> StreamRangeAsync(HttpContext context, Digest digest, FillingBlob filling, ByteRange range, ResponseRateWatch? watch)
    {
        using var reader = filling.Reader.OpenRange(range.Start, range.End);
        if (reader.FromUpstream)
        {
            BlobResponseLog.RangeFromUpstream(logger, digest, range.Start, range.End - 1);
        }

        return await StreamAsync(context, digest, range, watch, reader.ReadAsync);
    }

    /// <summary>Streams <paramref name="range"/> as <paramref name="read"/> gives its bytes; a read that fails cuts the connection (and answers false).</summary>
    private async Task<bool> StreamAsync(HttpContext context, Digest digest, ByteRange range, ResponseRateWatch? watch, Func<Memory<byte>, long, CancellationToken, ValueTask<FillRead>> read)
    {
        var body = context.Response.BodyWriter;
        var position = range.Start;
        var cancellationToken = context.RequestAborted;
        while (true)
        {
            // Waiting for the upstream's bytes is not the client's slowness.
            watch?.Pause();
            var got = await read(body.GetMemory(CopyChunk), position, cancellationToken);
            watch?.Resume();
            if (got.Failed)
            {
                // Headers and most of the body are out: the only honest end is a broken connection, which
                // clients see as a failed download, never as a complete one.
                BlobResponseLog.ResponseAborted(logger, digest, position, got.Reason!);
                context.Abort();
                return false;
            }

            if (got.Count == 0)
            {
                return true;
            }

            body.Advance(got.Count);
            position += got.Count;
            outcomes.Sent(context, MirrorMetrics.Blob, got.Count);
            await body.FlushAsync(cancellationToken);
            watch?.Sent(got.Count);
        }
    }

    /// <summary>Sends each of <paramref name="ranges"/> by <paramref name="send"/>, framed as <paramref name="multipart"/> says when there are several; stops at a part that was cut.</summary>
    private static async Task SendPartsAsync(HttpContext context, IReadOnlyList<ByteRange> ranges, MultipartByteRanges? multipart, Func<ByteRange, Task<bool>> send)
    {
        var body = context.Response.BodyWriter;
        for (var i = 0; i < ranges.Count; i++)
        {
            if (multipart is not null)
            {
                await body.WriteAsync(multipart.PartHeader(i), context.RequestAborted);
            }

            if (!await send(ranges[i]))
            {
                return;
            }
        }

        if (multipart is not null)
        {
            await body.WriteAsync(multipart.Closing, context.RequestAborted);
        }
    }

    private RangeSelection Select(HttpContext context, Digest digest, long length) =>
        RangeSelection.Resolve(context.Request.GetTypedHeaders(), ETagOf(digest), length, server.Value.MaxRanges);

    private static bool IsNotModified(HttpContext context, Digest digest) =>
        context.Request.GetTypedHeaders().IfNoneMatch is { Count: > 0 } tags
        && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(new EntityTagHeaderValue(ETagOf(digest)), useStrongComparison: false));

    private static string ETagOf(Digest digest) => $"\"{digest}\"";

    private static Task NotSatisfiableAsync(HttpContext context, long? length)
    {
        context.Response.Headers.ContentRange = $"bytes */{length}";
        return new OciError(StatusCodes.Status416RangeNotSatisfiable, OciErrorCode.SizeInvalid, "requested range not satisfiable").WriteAsync(context);
    }

    /// <summary>The headers for <paramref name="selection"/>: one range's, or a multipart answer's (whose framing it returns).</summary>
    private static MultipartByteRanges? WriteHeaders(HttpContext context, Digest digest, RangeSelection selection, long? length)
    {
        if (!selection.Multipart || length is not { } known)
        {
            WriteHeaders(context, digest, selection.Ranges[0], length);
            return null;
        }

        // RFC 9110 14.6: each part says its own range; the answer as a whole has none.
        var multipart = new MultipartByteRanges(selection.Ranges, known);
        WriteHeaders(context, digest, new ByteRange(0, known, false), known);
        context.Response.StatusCode = StatusCodes.Status206PartialContent;
        context.Response.ContentType = multipart.ContentType;
        context.Response.ContentLength = multipart.ContentLength;
        return multipart;
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
