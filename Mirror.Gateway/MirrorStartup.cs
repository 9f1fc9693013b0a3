using Microsoft.Extensions.Options;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Storage;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Diagnostics;

namespace Mirror.Gateway;

/// <summary>
/// What runs once before the first request: temp files a killed process left are removed (nothing refers
/// to them), the store is indexed, and the configuration the mirror ignores is named.
/// </summary>
internal sealed class MirrorStartup(ContentStore store, MirrorMetrics metrics, IConfiguration configuration, IOptions<UpstreamOptions> upstream, ILogger<MirrorStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.ObserveStore(() => (store.Index.Bytes, store.Index.Blobs, store.Index.Manifests));
        foreach (var key in DistributionConfiguration.UnknownKeys((IConfigurationRoot)configuration))
        {
            GatewayLog.UnknownKey(logger, key);
        }

        GatewayLog.StoreOpened(logger, store.Root, store.RemoveTempFiles());

        // One walk of the store fills the index (sizes for the gauges and the budget); requests do not
        // wait for it, since content found on disk meanwhile is added as it is served.
        _ = Task.Run(() =>
        {
            store.LoadIndex();
            GatewayLog.StoreIndexed(logger, store.Index.Blobs, store.Index.Manifests, store.Index.Bytes);
        }, cancellationToken);
        GatewayLog.Mirroring(logger, upstream.Value.RemoteUrl, upstream.Value.HasCredentials ? $"as {upstream.Value.Username}" : "anonymously");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
