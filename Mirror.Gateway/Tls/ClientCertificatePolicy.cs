using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Mirror.Gateway.Tls;

/// <summary>
/// Decides whether a client's certificate is accepted, as Go's <c>tls.Config</c> does for distribution: with
/// verification, the certificate must chain to one of <c>http.tls.clientcas</c> (and nothing else: the
/// system's roots do not count) and be meant for client authentication.
/// </summary>
internal sealed class ClientCertificatePolicy
{
    /// <summary>id-kp-clientAuth (RFC 5280 4.2.1.12).</summary>
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly ClientCertificateMode _mode;
    private readonly X509Certificate2Collection _authorities = [];

    public ClientCertificatePolicy(IOptions<TlsOptions> options)
    {
        _mode = options.Value.ClientAuth;
        foreach (var file in options.Value.ClientCas)
        {
            _authorities.ImportFromPemFile(file);
        }

        // The handshake names the accepted authorities, so clients holding several certificates pick the right one.
        Trust = _authorities.Count > 0 ? SslCertificateTrust.CreateForX509Collection(_authorities, sendTrustInHandshake: true) : null;
    }

    public SslCertificateTrust? Trust { get; }

    /// <summary>Whether the handshake asks the client for a certificate.</summary>
    public bool AsksForCertificate => _mode != ClientCertificateMode.None;

    /// <summary>
    /// The TLS handshake's verdict on what the client sent: its certificate (<c>null</c> when it sent none),
    /// and the chain the handshake built, whose extra store holds the intermediates the client sent with it.
    /// </summary>
    public bool Accepts(X509Certificate? certificate, X509Chain? sent)
    {
        if (certificate is null)
        {
            return _mode is ClientCertificateMode.None or ClientCertificateMode.Request or ClientCertificateMode.VerifyIfGiven;
        }

        if (_mode is ClientCertificateMode.None or ClientCertificateMode.Request or ClientCertificateMode.RequireAny)
        {
            return true;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        if (sent is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
        }

        return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }
}
