namespace Mirror.Gateway.Cluster;

/// <summary>Redis, as the cluster's nodes use it. Event id 2050.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(2050, LogLevel.Warning, "Redis: {Problem}; this node goes on alone until it answers")]
    public static partial void RedisFailed(ILogger logger, string problem);
}
