using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;

namespace Mirror.Cache;

/// <summary>
/// What runs once before the first request: temp files a killed process left are removed (nothing refers
/// to them), the store's index is built in the background (requests do not wait for it), and the tags and
/// repository links known from earlier runs are loaded.
/// </summary>
internal sealed class CacheStartup(StoreLayout layout, StoreScanner scanner, StoreIndex index, TagStore tags, RepositoryLinks links, MirrorMetrics metrics, ILogger<CacheStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.ObserveStore(index);
        CacheLog.StoreOpened(logger, layout.Root, layout.RemoveTempFiles());
        _ = Task.Run(scanner.Scan, cancellationToken);
        var tagCount = await tags.LoadAsync(cancellationToken);
        var linkCount = links.Load();
        links.LinkTagged(tags.Records.Select(r => (r.Repository, r.Digest)));
        CacheLog.MetadataLoaded(logger, tagCount, linkCount);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
