using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Diagnostics;

/// <summary>
/// Records how each registry request was answered, in one place: the hit and miss counters, the
/// <c>X-Cache</c> response header, the request log's cache result, and for a stale answer its
/// <c>Warning</c> header (RFC 7234 5.5.1), agree because they come from here.
/// </summary>
internal sealed class CacheOutcomes(GatewayMetrics metrics)
{
    public const string Header = "X-Cache";
    public const string StaleWarning = "110 - \"Response is Stale\"";

    /// <summary>
    /// Counts <paramref name="result"/> for a request of <paramref name="type"/> and marks the response.
    /// Tag lists are not counted as requests, hits or misses; a stale one counts as stale only.
    /// </summary>
    public void Record(HttpContext context, string type, CacheResult result)
    {
        var counted = type != MirrorMetrics.TagList;
        var upstream = UpstreamOf(context);
        switch (result)
        {
            case CacheResult.Hit when counted:
                metrics.Hit(upstream, type);
                break;
            case CacheResult.Miss or CacheResult.Coalesced when counted:
                metrics.Miss(upstream, type, coalesced: result == CacheResult.Coalesced);
                break;
            case CacheResult.Stale:
                if (counted)
                {
                    metrics.Hit(upstream, type);
                }

                metrics.Stale(upstream, type);
                context.Response.Headers.Warning = StaleWarning;
                break;
        }

        Mark(context, result);
    }

    /// <summary>Sets the header and log field without counting (tag lists).</summary>
    public static void Mark(HttpContext context, CacheResult result)
    {
        if (context.Features.Get<RegistryRequestFeature>() is { } feature)
        {
            feature.Result = result;
        }

        context.Response.Headers[Header] = result.ToString().ToUpperInvariant();
    }

    /// <summary>Counts body bytes sent to a client.</summary>
    public void Sent(HttpContext context, string type, long bytes)
    {
        var feature = context.Features.Get<RegistryRequestFeature>();
        metrics.Pushed(feature?.Upstream ?? "-", type, bytes);
        if (feature is not null)
        {
            feature.BytesSent = (feature.BytesSent ?? 0) + bytes;
        }
    }

    private static string UpstreamOf(HttpContext context) => context.Features.Get<RegistryRequestFeature>()?.Upstream ?? "-";
}
