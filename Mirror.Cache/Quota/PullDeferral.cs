namespace Mirror.Cache.Quota;

/// <summary>Background work held back on an upstream until <paramref name="Until"/>, for <paramref name="Reason"/> (words for logs and the status page).</summary>
public sealed record PullDeferral(DateTimeOffset Until, string Reason);
