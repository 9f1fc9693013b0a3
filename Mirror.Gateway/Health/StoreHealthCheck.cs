using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mirror.Cache.Storage;

namespace Mirror.Gateway.Health;

/// <summary>Ready only while the store can be written: a mirror that cannot store is a plain proxy.</summary>
internal sealed class StoreHealthCheck(StoreLayout layout, StoreIndex index) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probe = layout.NewTempPath();
        try
        {
            await File.WriteAllBytesAsync(probe, [1], cancellationToken);
            File.Delete(probe);
            return HealthCheckResult.Healthy($"{index.Bytes} bytes in {index.Blobs} blobs and {index.Manifests} manifests");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"the store at {layout.Root} cannot be written: {ex.Message}");
        }
    }
}
