using Microsoft.AspNetCore.Http.Features;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Api;

/// <summary>
/// Turns away requests no registry client sends, before routing sees them, with an OCI error: request
/// targets with percent-encoding or dot segments (Kestrel would decode and resolve them, and either could
/// smuggle a separator or climb past a name's grammar), over-long paths, and oversized headers.
/// </summary>
internal sealed class RequestGuardMiddleware(RequestDelegate next)
{
    /// <summary>No valid request has a longer path: a name is at most 255 characters and a digest 135.</summary>
    internal const int MaxPathLength = 1024;

    /// <summary>
    /// Registry clients send a few hundred bytes of headers. Kestrel refuses past 64 KiB with a bare 431;
    /// below that, this limit answers in the OCI error format.
    /// </summary>
    internal const int MaxHeaderBytes = 16 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        if (HeaderBytes(context.Request.Headers) > MaxHeaderBytes)
        {
            return new OciError(StatusCodes.Status431RequestHeaderFieldsTooLarge, OciErrorCode.SizeInvalid, "request headers too large", $"over {MaxHeaderBytes} bytes").WriteAsync(context);
        }

        var rawPath = RawPath(context);
        if (rawPath.Length > MaxPathLength)
        {
            return OciError.NameInvalid($"the path is {rawPath.Length} characters long").WriteAsync(context);
        }

        if (rawPath.Contains('%', StringComparison.Ordinal) || HasDotSegment(rawPath))
        {
            return OciError.NameInvalid("percent-encoding and dot segments are not allowed in registry paths").WriteAsync(context);
        }

        return next(context);
    }

    private static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? string.Empty;
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }

    private static long HeaderBytes(IHeaderDictionary headers)
    {
        long total = 0;
        foreach (var (name, values) in headers)
        {
            total += name.Length;
            foreach (var value in values)
            {
                total += value?.Length ?? 0;
            }
        }

        return total;
    }

    private static bool HasDotSegment(string path)
    {
        foreach (var segment in path.Split('/'))
        {
            if (segment is "." or "..")
            {
                return true;
            }
        }

        return false;
    }
}
