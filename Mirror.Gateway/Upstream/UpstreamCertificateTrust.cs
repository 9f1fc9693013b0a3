using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// An upstream's <c>cafile</c>: certificates the system trusts stay trusted, and a chain that ends at one of
/// the file's certificates is trusted too, for a private registry with its own CA. A name that does not
/// match, or no certificate at all, is never accepted.
/// </summary>
internal sealed class UpstreamCertificateTrust
{
    private readonly X509Certificate2Collection _authorities = [];

    public UpstreamCertificateTrust(string caFile) => _authorities.ImportFromPemFile(caFile);

    public int Count => _authorities.Count;

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            // Intermediates the server sent.
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
