using Microsoft.Extensions.Logging;

namespace Mirror.Cache.Watch;

/// <summary>The watcher's log lines. Event ids 1000-1999 are the cache's; 1080-1089 the watcher's and the pins'.</summary>
internal static partial class WatchLog
{
    [LoggerMessage(1080, LogLevel.Information, "{Count} images to keep warm (mirror.watch), {Fills} fills at a time, on the node that holds the watch")]
    public static partial void Started(ILogger logger, int count, int fills);

    [LoggerMessage(1081, LogLevel.Information, "Watch of {Image} deferred on {Upstream} until {Until}: {Reason}")]
    public static partial void Deferred(ILogger logger, string image, string upstream, DateTimeOffset until, string reason);

    [LoggerMessage(1082, LogLevel.Information, "Watched {Image} points at {Digest}: {Manifests} manifests and {Blobs} blobs fetched into the store before any client asked")]
    public static partial void Fetched(ILogger logger, string image, string digest, int manifests, int blobs);

    [LoggerMessage(1083, LogLevel.Warning, "Watch of {Image} failed: {Problem}")]
    public static partial void Failed(ILogger logger, string image, string problem);

    [LoggerMessage(1084, LogLevel.Information, "This node ({Node}) watches the images of mirror.watch")]
    public static partial void Watching(ILogger logger, string node);

    [LoggerMessage(1085, LogLevel.Debug, "Not watching: {Reason}")]
    public static partial void NotWatching(ILogger logger, string reason);

    [LoggerMessage(1086, LogLevel.Debug, "Watched {Image} points at {Digest}, in the store")]
    public static partial void Unchanged(ILogger logger, string image, string digest);
}
