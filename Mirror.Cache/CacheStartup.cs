using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;

namespace Mirror.Cache;

/// <summary>
/// What runs once before the first request: temp files a killed process left are removed (nothing refers
/// to them), the store's index is built in the background (requests do not wait for it), the tags known
/// from earlier runs are loaded, and the repository links in the background (requests for content wait
/// for them, as <see cref="RepositoryLinks.HoldsAsync"/> says).
/// </summary>
internal sealed class CacheStartup(StoreLayout layout, StoreScanner scanner, StoreIndex index, TagStore tags, RepositoryLinks links, MirrorMetrics metrics, ILogger<CacheStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.ObserveStore(index);
        CacheLog.StoreOpened(logger, layout.Root, layout.RemoveTempFiles());
        // Threads of their own, not the thread pool's: on a machine of two cores two long loads on pool
        // threads would leave requests waiting for the pool to grow.
        _ = Task.Factory.StartNew(scanner.Scan, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var tagCount = await tags.LoadAsync(cancellationToken);
        // Not cancelled with the start: requests for content wait until the load has run (or failed).
        _ = Task.Factory.StartNew(() => LoadLinks(tagCount), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void LoadLinks(int tagCount)
    {
        try
        {
            CacheLog.MetadataLoaded(logger, tagCount, links.Load(tags.Records.Select(r => (r.Repository, r.Digest))));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CacheLog.LinksNotLoaded(logger, layout.NodeMetadataDirectory, ex);
        }
    }
}
