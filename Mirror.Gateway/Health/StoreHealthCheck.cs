using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mirror.Cache.Storage;

namespace Mirror.Gateway.Health;

/// <summary>Ready only while the store can be written: a mirror that cannot store is a plain proxy.</summary>
internal sealed class StoreHealthCheck(ContentStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probe = Path.Combine(store.Root, "tmp", $"ready-{Guid.NewGuid():N}");
        try
        {
            await File.WriteAllBytesAsync(probe, [1], cancellationToken);
            File.Delete(probe);
            return HealthCheckResult.Healthy($"{store.Index.Bytes} bytes in {store.Index.Blobs} blobs and {store.Index.Manifests} manifests");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"the store at {store.Root} cannot be written: {ex.Message}");
        }
    }
}
