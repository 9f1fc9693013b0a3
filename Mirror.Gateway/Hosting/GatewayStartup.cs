using Microsoft.Extensions.Options;
using Mirror.Gateway.Authentication;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.FrontProxy;
using Mirror.Gateway.Listening;
using Mirror.Gateway.Tls;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Hosting;

/// <summary>
/// What the gateway says once at start: configuration it ignores, passwords that would cross the network in
/// clear, a debug address open beyond loopback while the main one asks for credentials, the proxy in front,
/// and what it mirrors.
/// </summary>
internal sealed class GatewayStartup(
    IConfiguration configuration,
    MirroredRegistries registries,
    IOptions<AuthOptions> auth,
    IOptions<ServerOptions> server,
    IOptions<TlsOptions> tls,
    IOptions<FrontProxyOptions> frontProxy,
    AccelRedirect accel,
    ILogger<GatewayStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var key in DistributionConfiguration.UnknownKeys(configuration))
        {
            StartupLog.UnknownKey(logger, key);
        }

        if (auth.Value.Mode is AuthMode.Htpasswd or AuthMode.Upstream && !tls.Value.Enabled)
        {
            // Allowed, as distribution allows it (TLS may end at a proxy in front), but said.
            StartupLog.PasswordsInClear(logger, auth.Value.Mode.ToString().ToLowerInvariant());
        }

        if (auth.Value.Mode != AuthMode.None && server.Value.DebugAddress is { } debug && !ListenSetup.IsLoopback(debug))
        {
            // Allowed (a monitoring network may need it; in auth.upstream mode the status page is only there),
            // but what it shows is what authentication keeps from others on the main address.
            StartupLog.DebugAddressOpen(logger, debug.ToString());
        }

        if (frontProxy.Value is { TrustedProxies.Count: > 0 } proxy)
        {
            StartupLog.BehindFrontProxy(logger, string.Join(", ", proxy.TrustedProxies), accel.Header is null ? "no" : $"{accel.Header} to {accel.Location}");
        }

        foreach (var registry in registries.All)
        {
            var upstream = registry.Options;
            StartupLog.Mirroring(logger, upstream.Host, upstream.RemoteUrl, upstream.HasCredentials ? $"as {upstream.Username}" : "anonymously");
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
