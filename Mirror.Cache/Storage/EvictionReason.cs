namespace Mirror.Cache.Storage;

/// <summary>Why a sweep removed an entry from the store.</summary>
public enum EvictionReason
{
    /// <summary>Not pulled within <c>proxy.ttl</c>.</summary>
    Expired,

    /// <summary>Among the least recently pulled while the store was past <c>mirror.maxsize</c>.</summary>
    OverBudget,
}
