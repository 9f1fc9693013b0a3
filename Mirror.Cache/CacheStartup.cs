using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Proofs;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;

namespace Mirror.Cache;

/// <summary>
/// What runs once before the first request: temp files a killed process left are removed (nothing refers
/// to them), the store's index is built in the background (requests do not wait for it), the tags known
/// from earlier runs are loaded, and the proofs and repository links in the background (requests for
/// content wait for them, as <see cref="IRepositoryLinks.HoldsAsync"/> and <see cref="ProofJournal.CheckAsync"/> say).
/// </summary>
internal sealed class CacheStartup(
    StoreLayout layout,
    StoreScanner scanner,
    StoreIndex index,
    ITagStore tags,
    IRepositoryLinks links,
    IContentProofs proofs,
    Provenance provenance,
    MirrorMetrics metrics,
    ILogger<CacheStartup> logger) : IHostedService
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
        _ = Task.Factory.StartNew(() => LoadMetadata(tagCount), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The proofs, then the links; then whose content from before proofs is (<see cref="Provenance.Settle"/>),
    /// which fails closed: when either could not be read, nobody's.
    /// </summary>
    private void LoadMetadata(int tagCount)
    {
        var anotherRegistryKnown = true;
        try
        {
            var proofCount = LoadProofs();
            var linkCount = links.Load(tags.Records.Select(r => (r.Repository, r.Digest)));
            CacheLog.MetadataLoaded(logger, tagCount, linkCount, proofCount ?? 0);
            anotherRegistryKnown = proofCount is null || links.NamesAnotherRegistry();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CacheLog.LinksNotLoaded(logger, layout.NodeMetadataDirectory, ex);
        }
        finally
        {
            provenance.Settle(anotherRegistryKnown);
        }
    }

    private int? LoadProofs()
    {
        try
        {
            return proofs.Load();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            CacheLog.ProofsNotLoaded(logger, layout.NodeMetadataDirectory, ex);
            return null;
        }
    }
}
