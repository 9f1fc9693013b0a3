using System.Net.Security;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace Mirror.Gateway.Tls;

/// <summary>
/// The TLS settings of each new connection: the current certificate (so a renewal reaches every connection
/// made after it), the protocol versions and cipher suites configured, and the client-certificate policy.
/// ALPN offers HTTP/2 and HTTP/1.1 as the listener's protocols say (Kestrel adds them).
/// </summary>
internal sealed class TlsHandshake(ServerCertificate certificate, ClientCertificatePolicy clients, IOptions<TlsOptions> options)
{
    /// <summary>As in Go, the configured suites restrict TLS 1.2; TLS 1.3's own suites are always offered.</summary>
    private static readonly TlsCipherSuite[] Tls13Suites =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    ];

    private readonly CipherSuitesPolicy? _cipherSuites = options.Value.CipherSuites.Count > 0 ? new CipherSuitesPolicy([.. Tls13Suites, .. options.Value.CipherSuites]) : null;

    public TlsHandshakeCallbackOptions CallbackOptions => new()
    {
        OnConnection = _ => ValueTask.FromResult(Options()),
        HandshakeTimeout = TimeSpan.FromSeconds(10),
    };

    private SslServerAuthenticationOptions Options() => new()
    {
        ServerCertificateContext = certificate.Context,
        EnabledSslProtocols = options.Value.Protocols,
        CipherSuitesPolicy = _cipherSuites,
        ClientCertificateRequired = clients.AsksForCertificate,
        RemoteCertificateValidationCallback = (_, presented, chain, _) => clients.Accepts(presented, chain),
    };
}
