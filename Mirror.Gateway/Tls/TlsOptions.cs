using System.Net.Security;
using System.Security.Authentication;

namespace Mirror.Gateway.Tls;

/// <summary>TLS on the main listener (distribution's <c>http.tls</c> section); plain HTTP when no certificate is given.</summary>
internal sealed class TlsOptions
{
    /// <summary>The server certificate, PEM, optionally followed by its chain (<c>http.tls.certificate</c>).</summary>
    public string? Certificate { get; set; }

    /// <summary>The certificate's private key, PEM (<c>http.tls.key</c>).</summary>
    public string? Key { get; set; }

    /// <summary>CA certificates, PEM files, that client certificates must chain to (<c>http.tls.clientcas</c>); default none.</summary>
    public IReadOnlyList<string> ClientCas { get; set; } = [];

    /// <summary>
    /// What is asked of client certificates (<c>http.tls.clientauth</c>); default
    /// <see cref="ClientCertificateMode.RequireAndVerify"/> when <see cref="ClientCas"/> is set, else none.
    /// </summary>
    public ClientCertificateMode ClientAuth { get; set; }

    /// <summary>The oldest protocol accepted (<c>http.tls.minimumtls</c>: <c>tls1.2</c>, the default, or <c>tls1.3</c>).</summary>
    public SslProtocols Protocols { get; set; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>The TLS 1.2 cipher suites allowed, by their IANA names (<c>http.tls.ciphersuites</c>); default OpenSSL's.</summary>
    public IReadOnlyList<TlsCipherSuite> CipherSuites { get; set; } = [];

    public bool Enabled => Certificate is not null;
}
