using Microsoft.Extensions.Options;
using Mirror.Cache.Storage;

namespace Mirror.Gateway;

/// <summary>
/// Runs the store's expiry and size budget: once the start-up index is complete, then every
/// <c>mirror.sweepinterval</c>, and as soon as a commit takes the store past <c>mirror.maxsize</c>. Each run
/// also saves the last-access times, so they are written in batches, never per request.
/// </summary>
internal sealed class StoreSweeper(StoreEvictor evictor, ContentStore store, IOptions<EvictionOptions> options, TimeProvider time) : BackgroundService
{
    private readonly SemaphoreSlim _overBudget = new(0, 1);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        store.SaveAccessTimes();
    }

    public override void Dispose()
    {
        _overBudget.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        store.Index.Grown += SignalWhenOverBudget;
        try
        {
            await store.IndexLoaded.WaitAsync(stoppingToken);
            Task? overBudget = null;
            while (!stoppingToken.IsCancellationRequested)
            {
                evictor.Sweep();
                store.SaveAccessTimes();

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
            store.Index.Grown -= SignalWhenOverBudget;
        }
    }

    private void SignalWhenOverBudget()
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
