using System.Globalization;
using System.Net;

namespace Mirror.Gateway.Listening;

/// <summary>A listen address as distribution writes it: <c>:5000</c>, <c>127.0.0.1:5000</c>, <c>[::1]:5000</c>, <c>localhost:5000</c>.</summary>
internal sealed record ListenAddress(string? Host, int Port)
{
    public static ListenAddress? TryParse(string? text)
    {
        var colon = text?.LastIndexOf(':') ?? -1;
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return null;
        }

        var host = text![..colon].Trim('[', ']');
        if (host.Length > 0 && host != "localhost" && !IPAddress.TryParse(host, out _) && Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            return null;
        }

        return new ListenAddress(host.Length == 0 ? null : host, port);
    }

    public override string ToString() => Host is null ? $":{Port}" : Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
