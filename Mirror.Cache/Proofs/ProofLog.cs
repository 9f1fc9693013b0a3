using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Proofs;

/// <summary>The log lines of the registries' proofs. Event ids 1000-1999 are the cache's.</summary>
internal static partial class ProofLog
{
    [LoggerMessage(1051, LogLevel.Information, "Content stored before proofs were kept is {Rule}")]
    public static partial void UnattributedContent(ILogger logger, string rule);
}
