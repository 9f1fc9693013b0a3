using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mirror.Gateway.Cluster;

/// <summary>
/// Reports the cluster's coordinator without failing readiness: without Redis a node serves what the store
/// holds and fills alone, so Redis gone makes it Degraded, not unready.
/// </summary>
internal sealed class ClusterHealthCheck(IConnectionMultiplexer redis, IOptions<ClusterOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(redis.IsConnected
            ? HealthCheckResult.Healthy($"node {options.Value.Node}, Redis at {options.Value.Address}")
            : HealthCheckResult.Degraded($"node {options.Value.Node}: Redis at {options.Value.Address} is not connected; filling alone"));
}
