using Microsoft.Extensions.Options;
using Mirror.Cache.Storage;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Diagnostics;

namespace Mirror.Gateway;

/// <summary>
/// What runs once before the first request: temp files a killed process left are removed (nothing refers
/// to them), and the configuration the mirror ignores is named.
/// </summary>
internal sealed class MirrorStartup(ContentStore store, IConfiguration configuration, IOptions<UpstreamOptions> upstream, ILogger<MirrorStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var key in DistributionConfiguration.UnknownKeys((IConfigurationRoot)configuration))
        {
            GatewayLog.UnknownKey(logger, key);
        }

        GatewayLog.StoreOpened(logger, store.Root, store.RemoveTempFiles());
        GatewayLog.Mirroring(logger, upstream.Value.RemoteUrl, upstream.Value.HasCredentials ? $"as {upstream.Value.Username}" : "anonymously");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
