using System.Net;
using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.FrontProxy;

/// <summary>
/// Reads the server in front of the mirror (<c>mirror.trustedproxies</c>, <c>mirror.accel</c>): an accel header
/// needs trusted proxies, since a client that reached the mirror directly would take the header's empty body
/// for the blob.
/// </summary>
internal sealed class FrontProxyOptionsSetup(ConfigurationReader read) : IConfigureOptions<FrontProxyOptions>
{
    public void Configure(FrontProxyOptions options)
    {
        options.TrustedProxies = read.List(ConfigurationKeys.TrustedProxies).Select(Network).ToList();
        var location = read.Value(ConfigurationKeys.AccelLocation);
        if (read.Value(ConfigurationKeys.AccelHeader) is not { } header)
        {
            if (location is not null)
            {
                throw ConfigurationReader.Invalid<FrontProxyOptions>(ConfigurationKeys.AccelHeader, $"is needed with {ConfigurationKeys.AccelLocation}");
            }

            return;
        }

        options.AccelHeader = AccelHeaders.Find(header)
            ?? throw ConfigurationReader.Invalid<FrontProxyOptions>(ConfigurationKeys.AccelHeader, header, $"is not one of {string.Join(", ", AccelHeaders.All)}");
        if (options.TrustedProxies.Count == 0)
        {
            throw ConfigurationReader.Invalid<FrontProxyOptions>(ConfigurationKeys.AccelHeader, $"needs {ConfigurationKeys.TrustedProxies}: blobs are handed only to requests that came through those proxies");
        }

        if (location is not null)
        {
            options.AccelLocation = AccelLocation(options.AccelHeader, location);
        }
    }

    /// <summary>
    /// <c>mirror.accel.location</c>: an absolute directory for the <c>X-Sendfile</c> headers, a URI path for
    /// <c>X-Accel-Redirect</c>; never with <c>..</c>.
    /// </summary>
    private static string AccelLocation(string header, string location)
    {
        var valid = AccelHeaders.TakesPath(header)
            ? Path.IsPathFullyQualified(location)
            : location.StartsWith('/') && Uri.IsWellFormedUriString(location, UriKind.Relative) && !location.Contains('?', StringComparison.Ordinal);
        return valid && !location.Split('/').Contains("..")
            ? location
            : throw ConfigurationReader.Invalid<FrontProxyOptions>(ConfigurationKeys.AccelLocation, location, AccelHeaders.TakesPath(header)
                ? $"is not an absolute directory path, as {header} takes"
                : $"is not a URI path such as {AccelHeaders.DefaultAccelLocation}, as {header} takes");
    }

    /// <summary>
    /// An entry of <c>mirror.trustedproxies</c>: an address (a network of one) or a CIDR network with no bits
    /// set past its prefix. IPv4 is written in full, four parts: .NET also reads <c>10.1</c> as an address.
    /// </summary>
    private static IPNetwork Network(string text)
    {
        var address = text.Split('/')[0];
        var full = address.Contains(':', StringComparison.Ordinal) || address.Count(c => c == '.') == 3;
        if (full && !text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var single))
        {
            return new IPNetwork(single, single.GetAddressBytes().Length * 8);
        }

        // IPNetwork.TryParse clears bits past the prefix (10.0.0.1/8 is 10.0.0.0/8); a typo is not trusted so.
        return full && IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(address, out var written) && network.BaseAddress.Equals(written)
            ? network
            : throw ConfigurationReader.Invalid<FrontProxyOptions>(ConfigurationKeys.TrustedProxies, text, "is not an IP address or a network such as 10.0.0.0/8 (with no bits set past its prefix)");
    }
}
