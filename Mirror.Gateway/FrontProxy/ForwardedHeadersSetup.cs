using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Mirror.Gateway.FrontProxy;

/// <summary>
/// ASP.NET Core's forwarded headers, believed from <c>mirror.trustedproxies</c> only (not its default of
/// loopback): <c>X-Forwarded-For</c> gives the client's address (logs, the failed-login throttle),
/// <c>-Proto</c> and <c>-Host</c> the URL the client used (the default token realm of <c>auth.upstream</c>).
/// Entries are taken from the right, as each trusted proxy appended them, up to the first untrusted address,
/// so a client cannot pass off an address of its choosing by sending the header itself.
/// </summary>
internal sealed class ForwardedHeadersSetup(IOptions<FrontProxyOptions> frontProxy) : IConfigureOptions<ForwardedHeadersOptions>
{
    public void Configure(ForwardedHeadersOptions options)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
        options.ForwardLimit = null;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in frontProxy.Value.TrustedProxies)
        {
            options.KnownIPNetworks.Add(network);
        }
    }
}
