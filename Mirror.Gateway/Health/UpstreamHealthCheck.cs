using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Health;

/// <summary>
/// Reports the upstream's state without failing readiness: cached content is served without the upstream,
/// so an unreachable upstream makes the mirror Degraded, not unready.
/// </summary>
internal sealed class UpstreamHealthCheck(UpstreamHealth upstream) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(upstream.Reachable
            ? HealthCheckResult.Healthy(upstream.LastSuccess is { } at ? $"last answered at {at:O}" : "not asked yet")
            : HealthCheckResult.Degraded($"unreachable since {upstream.LastFailure:O}: {upstream.LastError}"));
}
