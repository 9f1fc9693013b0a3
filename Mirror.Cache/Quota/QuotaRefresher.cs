using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mirror.Cache.Quota;

/// <summary>
/// A cluster node's view of the quota, read again from Redis every few seconds, so its status page, gauges
/// and background work know what other nodes were told. (Its own GETs ask Redis each time.)
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
