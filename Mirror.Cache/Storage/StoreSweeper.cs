using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mirror.Cache.Storage;

/// <summary>
/// Runs the store's expiry and size budget: once the start-up index is complete (or failed), then every
/// <c>mirror.sweepinterval</c>, and as soon as a commit takes the store past <c>mirror.maxsize</c>. Each run
/// also saves the uses since the last run, so they are written in batches, never per request.
/// </summary>
internal sealed class StoreSweeper(StoreEvictor evictor, StoreIndex index, IAccessLog uses, IOptions<EvictionOptions> options, TimeProvider time, ILogger<StoreSweeper> logger) : BackgroundService
{
    private readonly SemaphoreSlim _overBudget = new(0, 1);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        uses.Save(index);
    }

    public override void Dispose()
    {
        _overBudget.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        index.Added += SignalWhenOverBudget;
        try
        {
            try
            {
                await index.Loaded.WaitAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Logged by the scan; what the index holds (content served since is in it) is still swept.
                CacheLog.SweepingPartialIndex(logger);
            }

            Task? overBudget = null;
            while (!stoppingToken.IsCancellationRequested)
            {
                evictor.Sweep();
                uses.Save(index);

                // One wait for the signal at a time, kept across interval ticks, so no signal is lost.
                overBudget ??= _overBudget.WaitAsync(stoppingToken);
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                if (await Task.WhenAny(Task.Delay(options.Value.SweepInterval, time, tick.Token), overBudget) == overBudget)
                {
                    overBudget = null;
                    await tick.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            index.Added -= SignalWhenOverBudget;
        }
    }

    private void SignalWhenOverBudget(ContentKind kind, DigestKey key)
    {
        if (evictor.OverBudget && _overBudget.CurrentCount == 0)
        {
            try
            {
                _overBudget.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another commit signalled first; one sweep serves both.
            }
        }
    }
}
