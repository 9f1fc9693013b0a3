using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Watch;

/// <summary>
/// Keeps the tags of <c>mirror.watch</c> warm: at start and every tag's interval, one round of each
/// (<see cref="WatchedImageFetch"/>), so a moved tag's image is in the store before any client asks. In a
/// cluster only the holder of the watcher's lease (<see cref="IWatchLease"/>) watches; the others ask for the
/// lease again now and then, and take over when its holder stops.
/// </summary>
internal sealed class ImageWatcher(
    WatchedImageFetch fetch,
    IWatchLease lease,
    StoreIndex index,
    IOptions<WatchOptions> options,
    TimeProvider time,
    ILogger<ImageWatcher> logger) : BackgroundService
{
    /// <summary>How often a node that does not watch asks for the lease again.</summary>
    public static readonly TimeSpan LeaseRetry = TimeSpan.FromSeconds(10);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await lease.ReleaseAsync();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var images = options.Value.Images;
        if (images.Count == 0)
        {
            return;
        }

        try
        {
            // What the store holds is known once the start-up scan has run.
            await index.Loaded.WaitAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Logged by the scan; content is looked up on disk all the same.
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        WatchLog.Started(logger, images.Count, options.Value.Fills);
        var due = images.ToDictionary(image => image, _ => time.GetUtcNow());
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = await lease.TryHoldAsync(stoppingToken) ? await RunDueAsync(due, stoppingToken) : LeaseRetry;
                await Task.Delay(wait, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Runs the round of every tag that is due, side by side; how long until the next is.</summary>
    private async Task<TimeSpan> RunDueAsync(Dictionary<WatchedImage, DateTimeOffset> due, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var ready = due.Where(d => d.Value <= now).Select(d => d.Key).ToList();
        await Task.WhenAll(ready.Select(image => RoundAsync(image, cancellationToken)));
        foreach (var image in ready)
        {
            due[image] = time.GetUtcNow() + image.Interval;
        }

        var next = due.Values.Min() - time.GetUtcNow();
        return next > TimeSpan.Zero ? TimeSpan.FromTicks(Math.Min(next.Ticks, LeaseRetry.Ticks * 6)) : TimeSpan.Zero;
    }

    private async Task RoundAsync(WatchedImage image, CancellationToken cancellationToken)
    {
        try
        {
            await fetch.RunAsync(image, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // One tag's trouble is not the others': said, and tried again at its next interval.
            WatchLog.Failed(logger, image.ToString(), ex.Message);
        }
    }
}
