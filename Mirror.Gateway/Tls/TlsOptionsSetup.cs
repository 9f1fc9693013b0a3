using System.Net.Security;
using System.Security.Authentication;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Tls;

/// <summary>Reads <c>http.tls</c>; a value the mirror cannot honour stops the start with a line naming the key.</summary>
internal sealed class TlsOptionsSetup(ConfigurationReader read) : IConfigureOptions<TlsOptions>
{
    private static readonly Dictionary<string, ClientCertificateMode> Modes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["request-client-cert"] = ClientCertificateMode.Request,
        ["require-any-client-cert"] = ClientCertificateMode.RequireAny,
        ["verify-client-cert-if-given"] = ClientCertificateMode.VerifyIfGiven,
        ["require-and-verify-client-cert"] = ClientCertificateMode.RequireAndVerify,
    };

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5397", Justification = "The versions are the operator's floor; only TLS 1.2 and 1.3 are ever offered.")]
    public void Configure(TlsOptions options)
    {
        options.Certificate = read.File<TlsOptions>(ConfigurationKeys.TlsCertificate);
        options.Key = read.File<TlsOptions>(ConfigurationKeys.TlsKey);
        if ((options.Certificate is null) != (options.Key is null))
        {
            throw ConfigurationReader.Invalid<TlsOptions>(options.Certificate is null ? ConfigurationKeys.TlsCertificate : ConfigurationKeys.TlsKey, $"is needed with {(options.Certificate is null ? ConfigurationKeys.TlsKey : ConfigurationKeys.TlsCertificate)}");
        }

        if (options.Certificate is null && read.Has("http.tls"))
        {
            throw ConfigurationReader.Invalid<TlsOptions>("http.tls", $"TLS settings without {ConfigurationKeys.TlsCertificate} and {ConfigurationKeys.TlsKey}: the mirror would serve plain HTTP");
        }

        options.ClientCas = read.List(ConfigurationKeys.TlsClientCas)
            .Select(path => File.Exists(path) ? Path.GetFullPath(path) : throw ConfigurationReader.Invalid<TlsOptions>(ConfigurationKeys.TlsClientCas, path, "is not a file the mirror can read"))
            .ToList();
        options.ClientAuth = read.Value(ConfigurationKeys.TlsClientAuth) is { } mode
            ? Modes.GetValueOrDefault(mode, (ClientCertificateMode)(-1)) is var parsed && parsed >= 0 ? parsed
                : throw ConfigurationReader.Invalid<TlsOptions>(ConfigurationKeys.TlsClientAuth, mode, $"is not one of {string.Join(", ", Modes.Keys)}")
            : options.ClientCas.Count > 0 ? ClientCertificateMode.RequireAndVerify : ClientCertificateMode.None;
        if (options.ClientAuth is ClientCertificateMode.VerifyIfGiven or ClientCertificateMode.RequireAndVerify && options.ClientCas.Count == 0)
        {
            throw ConfigurationReader.Invalid<TlsOptions>(ConfigurationKeys.TlsClientAuth, $"verifying client certificates needs {ConfigurationKeys.TlsClientCas}");
        }

        options.Protocols = read.Value(ConfigurationKeys.TlsMinimum) switch
        {
            null => options.Protocols,
            { } v when v.Equals("tls1.2", StringComparison.OrdinalIgnoreCase) => SslProtocols.Tls12 | SslProtocols.Tls13,
            { } v when v.Equals("tls1.3", StringComparison.OrdinalIgnoreCase) => SslProtocols.Tls13,
            { } v => throw ConfigurationReader.Invalid<TlsOptions>(ConfigurationKeys.TlsMinimum, v, "is not tls1.2 or tls1.3 (older versions are not offered)"),
        };
        options.CipherSuites = read.List(ConfigurationKeys.TlsCipherSuites)
            .Select(name => Enum.TryParse<TlsCipherSuite>(name, ignoreCase: false, out var suite) && !name.All(char.IsAsciiDigit)
                ? suite
                : throw ConfigurationReader.Invalid<TlsOptions>(ConfigurationKeys.TlsCipherSuites, name, "is not a cipher suite's IANA name such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))
            .ToList();
    }
}
