using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Manifests;

/// <summary>The log lines of manifest resolution. Event ids 1000-1999 are the cache's.</summary>
internal static partial class ManifestLog
{
    [LoggerMessage(1017, LogLevel.Warning, "Serving {Repository}:{Tag} as {Digest}, its last known digest: the upstream is {Reason}")]
    public static partial void ServedStale(ILogger logger, RepositoryKey repository, string tag, Digest digest, string reason);

    [LoggerMessage(1018, LogLevel.Error, "The upstream's manifest for {Repository}@{Expected} hashes to {Actual}; not stored, not served")]
    public static partial void ManifestDigestMismatch(ILogger logger, RepositoryKey repository, Digest expected, Digest actual);
}
