using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Cluster;

/// <summary>The log lines of fills streamed to the cluster's other nodes. Event ids 2070 and 2071.</summary>
internal static partial class FillStreamLog
{
    [LoggerMessage(2070, LogLevel.Warning, "Refused a request for the fill of {Digest} from {Remote}: not signed with the cluster's http.secret")]
    public static partial void Refused(ILogger logger, Digest digest, string? remote);

    [LoggerMessage(2071, LogLevel.Debug, "Streaming the fill of {Digest} to the node at {Remote}, from byte {From}")]
    public static partial void Streaming(ILogger logger, Digest digest, string? remote, long from);
}
