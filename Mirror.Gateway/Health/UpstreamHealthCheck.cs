using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Health;

/// <summary>
/// Reports each upstream's state without failing readiness: cached content is served without the upstream,
/// so an unreachable upstream makes the mirror Degraded, not unready. With one upstream the description is
/// its state; with several, each host's, the unreachable first.
/// </summary>
internal sealed class UpstreamHealthCheck(MirroredRegistries registries) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = registries.All
            .Select(r => (r.Host, r.Health.Reachable, Description: Describe(r.Health)))
            .OrderBy(s => s.Reachable)
            .ToList();
        var description = states.Count == 1 ? states[0].Description : string.Join("; ", states.Select(s => $"{s.Host}: {s.Description}"));
        return Task.FromResult(states.All(s => s.Reachable) ? HealthCheckResult.Healthy(description) : HealthCheckResult.Degraded(description));
    }

    private static string Describe(UpstreamHealth health) =>
        health.Reachable
            ? health.LastSuccess is { } at ? $"last answered at {at:O}" : "not asked yet"
            : $"unreachable since {health.LastFailure:O}: {health.LastError}";
}
