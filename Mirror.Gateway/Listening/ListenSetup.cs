using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Tls;

namespace Mirror.Gateway.Listening;

/// <summary>
/// Kestrel's listeners and limits: the main address (TLS when <c>http.tls</c> gives a certificate, with HTTP/2
/// by ALPN), the debug address (plain HTTP: metrics, health and the status page), and limits set on purpose
/// rather than left at Kestrel's defaults.
/// </summary>
internal sealed class ListenSetup(IOptions<ServerOptions> server, IOptions<TlsOptions> tls, IServiceProvider services) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        ServerOptions options;
        try
        {
            options = server.Value;
            _ = tls.Value;
        }
        catch (OptionsValidationException)
        {
            // The server is built before the options are validated: a bad http value leaves it unconfigured,
            // and the start stops at validation (ValidateOnStart), which names it with every other bad key.
            return;
        }

        kestrel.AddServerHeader = false;

        // Room above the registry API's own limits, so oversized requests get its OCI error answers.
        kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
        kestrel.Limits.MaxRequestLineSize = 16 * 1024;
        kestrel.Limits.MaxConcurrentConnections = options.MaxConnections;
        kestrel.Limits.RequestHeadersTimeout = options.HeaderTimeout;

        // The mirror takes no request bodies (writes are refused unread); a client sending one is cut short.
        kestrel.Limits.MaxRequestBodySize = 64 * 1024;

        Listen(kestrel, options.Address, listen =>
        {
            if (tls.Value.Enabled)
            {
                listen.Protocols = options.Http2 ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                listen.UseHttps(services.GetRequiredService<TlsHandshake>().CallbackOptions);
            }
        });
        if (options.DebugAddress is { } debug)
        {
            Listen(kestrel, debug, _ => { });
        }
    }

    /// <summary>Whether only this machine can reach <paramref name="address"/>: <c>localhost</c>, or a loopback address (a host name as it is listened on, by its first address).</summary>
    internal static bool IsLoopback(ListenAddress address)
    {
        try
        {
            return address.Host switch
            {
                null => false,
                "localhost" => true,
                var host => IPAddress.IsLoopback(AddressOf(host)),
            };
        }
        catch (System.Net.Sockets.SocketException)
        {
            // A name that does not resolve cannot be listened on either; the listener says so.
            return false;
        }
    }

    private static void Listen(KestrelServerOptions kestrel, ListenAddress address, Action<ListenOptions> configure)
    {
        switch (address.Host)
        {
            case null:
                kestrel.ListenAnyIP(address.Port, configure);
                break;
            case "localhost":
                kestrel.ListenLocalhost(address.Port, configure);
                break;
            default:
                kestrel.Listen(AddressOf(address.Host), address.Port, configure);
                break;
        }
    }

    private static IPAddress AddressOf(string host) => IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host)[0];
}
