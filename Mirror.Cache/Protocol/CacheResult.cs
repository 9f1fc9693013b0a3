namespace Mirror.Cache.Protocol;

/// <summary>How a registry request was answered, for the hit and miss counters, the request log and <c>X-Cache</c>.</summary>
public enum CacheResult
{
    /// <summary>Not decided: the request was refused or failed before the cache was asked.</summary>
    None,

    /// <summary>Served from the store (a tag after its revalidating HEAD included).</summary>
    Hit,

    /// <summary>The content came from the upstream, by a fetch this request started.</summary>
    Miss,

    /// <summary>The content came from the upstream, by a fetch another request had started.</summary>
    Coalesced,

    /// <summary>Served from the store because the upstream could not be asked.</summary>
    Stale,

    /// <summary>Not cacheable (tag lists, forwarded requests): passed to the upstream.</summary>
    Bypass,
}
