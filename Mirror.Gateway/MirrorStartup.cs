using Microsoft.Extensions.Options;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Tags;
using Mirror.Gateway.Authentication;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Tls;

namespace Mirror.Gateway;

/// <summary>
/// What runs once before the first request: temp files a killed process left are removed (nothing refers
/// to them), the store is indexed, the tags known from earlier runs are loaded, and the configuration the
/// mirror ignores is named.
/// </summary>
internal sealed class MirrorStartup(ContentStore store, TagStore tags, RepositoryLinks links, MirrorMetrics metrics, IConfiguration configuration, IOptions<UpstreamOptions> upstream, IOptions<AuthOptions> auth, IOptions<TlsOptions> tls, ILogger<MirrorStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.ObserveStore(() => (store.Index.Bytes, store.Index.Blobs, store.Index.Manifests));
        foreach (var key in DistributionConfiguration.UnknownKeys(configuration))
        {
            GatewayLog.UnknownKey(logger, key);
        }

        if (auth.Value.Mode is AuthMode.Htpasswd or AuthMode.Upstream && !tls.Value.Enabled)
        {
            // Allowed, as distribution allows it (TLS may end at a proxy in front), but said.
            GatewayLog.PasswordsInClear(logger, auth.Value.Mode.ToString().ToLowerInvariant());
        }

        GatewayLog.StoreOpened(logger, store.Root, store.RemoveTempFiles());

        // One walk of the store fills the index (sizes for the gauges and the budget); requests do not
        // wait for it, since content found on disk meanwhile is added as it is served.
        _ = Task.Run(() =>
        {
            store.LoadIndex();
            GatewayLog.StoreIndexed(logger, store.Index.Blobs, store.Index.Manifests, store.Index.Bytes);
        }, cancellationToken);
        GatewayLog.TagsLoaded(logger, await tags.LoadAsync(cancellationToken), links.Load());
        GatewayLog.Mirroring(logger, upstream.Value.RemoteUrl, upstream.Value.HasCredentials ? $"as {upstream.Value.Username}" : "anonymously");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
