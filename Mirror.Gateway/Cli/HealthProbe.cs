using Microsoft.Extensions.Configuration;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Listening;

namespace Mirror.Gateway.Cli;

/// <summary>
/// Where <c>health</c> asks, from the configuration the server reads (the YAML, then <c>REGISTRY_*</c>): the debug
/// address (<c>http.debug.addr</c>, plain HTTP) when there is one, else the main address (<c>http.addr</c>, https
/// when <c>http.tls.certificate</c> is set), on this machine's loopback, at <c>/healthz</c>.
/// </summary>
internal static class HealthProbe
{
    public const string Path = "/healthz";

    /// <summary>The URL to probe, or why there is none: a main address that asks for client certificates cannot be probed without one.</summary>
    public static (Uri? Url, string? Error) For(IConfiguration configuration)
    {
        var read = new ConfigurationReader(configuration);
        if (ListenAddress.TryParse(read.Value(ConfigurationKeys.DebugAddr)) is { } debug)
        {
            return (Url("http", debug), null);
        }

        if (read.Has(ConfigurationKeys.TlsClientCas))
        {
            return (null, $"{ConfigurationKeys.TlsClientCas} is set: the main address asks for client certificates; set {ConfigurationKeys.DebugAddr} for the health check, or give --url");
        }

        var main = ListenAddress.TryParse(read.Value(ConfigurationKeys.HttpAddr)) ?? new ServerOptions().Address;
        return (Url(read.Value(ConfigurationKeys.TlsCertificate) is null ? "http" : "https", main), null);
    }

    /// <summary>An address listened on every interface (<c>:5000</c>, <c>0.0.0.0</c>, <c>[::]</c>) is asked on 127.0.0.1; a named one as it is.</summary>
    private static Uri Url(string scheme, ListenAddress address)
    {
        var host = address.Host is null or "0.0.0.0" or "::" ? "127.0.0.1" : address.Host;
        return new UriBuilder(scheme, host, address.Port, Path).Uri;
    }
}
