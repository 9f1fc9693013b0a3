using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mirror.Cache.Quota;

/// <summary>
/// The node's view of the quota, read again from its ledger every few seconds, so its status page, gauges and
/// background work count the pulls still in the window and, in a cluster, know what other nodes were told
/// (its own manifest GETs ask the ledger each time).
/// </summary>
internal sealed class QuotaRefresher(PullQuota quota, TimeProvider time, ILogger<QuotaRefresher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    await quota.RefreshAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    QuotaLog.RefreshFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
