using System.Diagnostics;
using Mirror.Gateway.Registry;

namespace Mirror.Gateway.Diagnostics;

/// <summary>
/// One structured log line per registry request, when it ends: method, repository, endpoint, reference,
/// status, body bytes, duration, cache result and the client's address (behind a trusted proxy, the address
/// it forwarded). Requests outside <c>/v2</c> (scrapes, health probes) are
/// logged at Debug only. Registry GETs are counted in the <see cref="PullHistory"/> too. Whether the line
/// names the node (<paramref name="clustered"/>) is decided once, by the composition, from the cluster's options.
/// </summary>
internal sealed class RequestLogMiddleware(RequestDelegate next, PullHistory pulls, Mirror.Cache.Concurrency.IClusterCoordinator cluster, bool clustered, ILogger<RequestLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var feature = new RegistryRequestFeature();
        context.Features.Set(feature);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var path = context.Request.Path;
            var registry = path.StartsWithSegments("/v2");
            var endpoint = registry ? RegistryPath.Parse(path.Value!).Endpoint.ToString().ToLowerInvariant() : path.Value!;
            if (registry && HttpMethods.IsGet(context.Request.Method))
            {
                pulls.Record(
                    feature.Upstream,
                    feature.Repository,
                    endpoint,
                    feature.Reference,
                    context.Response.StatusCode,
                    feature.BytesSent ?? context.Response.ContentLength ?? 0,
                    feature.Result.ToString().ToLowerInvariant());
            }

            Log(context, feature, registry, endpoint, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>The request's line: Information for the registry API (with the node in a cluster), Debug for anything else.</summary>
    private void Log(HttpContext context, RegistryRequestFeature feature, bool registry, string endpoint, double milliseconds)
    {
        if (!logger.IsEnabled(registry ? LogLevel.Information : LogLevel.Debug))
        {
            return;
        }

        var bytes = feature.BytesSent ?? context.Response.ContentLength ?? 0;
        var result = feature.Result.ToString().ToLowerInvariant();
        if (registry && clustered)
        {
            RequestLog.RequestOnNode(logger, context.Request.Method, feature.Repository, endpoint, feature.Reference, context.Response.StatusCode, bytes, milliseconds, result, ClientOf(context), cluster.Node);
        }
        else if (registry)
        {
            RequestLog.Request(logger, context.Request.Method, feature.Repository, endpoint, feature.Reference, context.Response.StatusCode, bytes, milliseconds, result, ClientOf(context));
        }
        else
        {
            RequestLog.OtherRequest(logger, context.Request.Method, endpoint, context.Response.StatusCode, milliseconds);
        }
    }

    /// <summary>The client's address, an IPv4 one as such (Kestrel on <c>[::]</c> sees <c>::ffff:10.0.0.7</c>).</summary>
    private static string ClientOf(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address
            ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
            : "-";
}
