using Microsoft.Extensions.Logging;

namespace Mirror.Cache.Cluster;

/// <summary>The log lines of a cluster node's Redis. Event ids 1000-1999 are the cache's.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(1060, LogLevel.Warning, "Redis: {Problem}; this node goes on alone until it answers")]
    public static partial void RedisFailed(ILogger logger, string problem);

    [LoggerMessage(1061, LogLevel.Information, "Redis's records seeded from this node's journals ({Reason}): {Tags} tags, {Lists} tag lists, {Links} links, {Proofs} proofs, {Uses} uses")]
    public static partial void RecordsSeeded(ILogger logger, string reason, int tags, int lists, int links, int proofs, int uses);
}
