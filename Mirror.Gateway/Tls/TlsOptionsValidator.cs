using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Tls;

/// <summary>Checks at start that the certificate and key load as a pair, and that every client CA file holds a certificate.</summary>
internal sealed class TlsOptionsValidator : IValidateOptions<TlsOptions>
{
    public ValidateOptionsResult Validate(string? name, TlsOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        try
        {
            ServerCertificate.Load(options.Certificate!, options.Key!);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException)
        {
            return ValidateOptionsResult.Fail($"{ConfigurationKeys.TlsCertificate} and {ConfigurationKeys.TlsKey}: {options.Certificate} and {options.Key} do not load as a certificate and its key: {ex.Message}");
        }

        foreach (var file in options.ClientCas)
        {
            var authorities = new X509Certificate2Collection();
            try
            {
                authorities.ImportFromPemFile(file);
            }
            catch (CryptographicException ex)
            {
                return ValidateOptionsResult.Fail($"{ConfigurationKeys.TlsClientCas}: {file}: {ex.Message}");
            }

            if (authorities.Count == 0)
            {
                return ValidateOptionsResult.Fail($"{ConfigurationKeys.TlsClientCas}: {file} holds no PEM certificate");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
