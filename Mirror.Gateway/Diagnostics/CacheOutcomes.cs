using Mirror.Cache.Diagnostics;

namespace Mirror.Gateway.Diagnostics;

/// <summary>
/// Records how each manifest and blob request was answered, in one place: the hit and miss counters, the
/// <c>X-Cache</c> response header, and the request log's cache result agree because they come from here.
/// </summary>
internal sealed class CacheOutcomes(MirrorMetrics metrics)
{
    public const string Header = "X-Cache";

    public void Record(HttpContext context, string type, CacheResult result)
    {
        switch (result)
        {
            case CacheResult.Hit:
                metrics.Hit(type);
                break;
            case CacheResult.Miss or CacheResult.Coalesced:
                metrics.Miss(type, coalesced: result == CacheResult.Coalesced);
                break;
            case CacheResult.Stale:
                metrics.Hit(type);
                metrics.Stale(type);
                break;
        }

        Mark(context, result);
    }

    /// <summary>Sets the header and log field without counting (tag lists and forwarded requests).</summary>
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
        metrics.Pushed(type, bytes);
        if (context.Features.Get<RegistryRequestFeature>() is { } feature)
        {
            feature.BytesSent = (feature.BytesSent ?? 0) + bytes;
        }
    }
}
