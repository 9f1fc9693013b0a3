using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mirror.Cache.Blobs;

/// <summary>
/// Logs how long fills are doing, now and then: a fill running for more than <see cref="After"/> gets a line
/// every <see cref="Every"/> with its bytes, rate and waiting clients, so an operator tailing the log during
/// a slow upstream sees movement.
/// </summary>
internal sealed class FillProgressReporter(BlobFillCoordinator fills, TimeProvider time, ILogger<FillProgressReporter> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan After = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var fill in fills.Progress().Where(f => f.Elapsed >= After))
            {
                BlobLog.FillProgress(
                    logger,
                    fill.Repository,
                    fill.Digest,
                    fill.Written,
                    fill.Length?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?",
                    fill.BytesPerSecond / (1024 * 1024),
                    fill.Elapsed.TotalSeconds,
                    fill.Clients);
            }
        }
    }
}
