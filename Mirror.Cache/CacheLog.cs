using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;

namespace Mirror.Cache;

/// <summary>The composition's log lines: opening the store and loading its metadata at start. Event ids 1000-1999 are the cache's.</summary>
internal static partial class CacheLog
{
    [LoggerMessage(1019, LogLevel.Information, "Store at {Root}; removed {Count} temp files left by an earlier run")]
    public static partial void StoreOpened(ILogger logger, string root, int count);

    [LoggerMessage(1020, LogLevel.Information, "Known from earlier runs: {Count} tags, {Links} repository-digest links, {Proofs} registry-digest proofs")]
    public static partial void MetadataLoaded(ILogger logger, int count, int links, int proofs);

    [LoggerMessage(1024, LogLevel.Error, "Repository links not loaded from {Path}; the upstream is asked again which repository holds what")]
    public static partial void LinksNotLoaded(ILogger logger, string path, Exception exception);

    [LoggerMessage(1050, LogLevel.Error, "Proofs not loaded from {Path}; each registry fetches the stored content it asks for once more, to check it")]
    public static partial void ProofsNotLoaded(ILogger logger, string path, Exception exception);
}
