using System.Net.Sockets;
using System.Text;

namespace Mirror.Tests.Support;

/// <summary>
/// Sends a request exactly as written, over a plain socket: HttpClient would normalise dot segments and
/// escapes away before they reach the server, and those are what bad-input tests need to send.
/// </summary>
internal static class RawHttp
{
    public static Task<(int Status, string Body)> GetAsync(Uri server, string target) => SendAsync(server, "GET", target);

    /// <summary>Sends <paramref name="method"/> <paramref name="target"/>, with an <c>Authorization</c> header when one is given.</summary>
    public static async Task<(int Status, string Body)> SendAsync(Uri server, string method, string target, string? authorization = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var stream = client.GetStream();
        var credentials = authorization is null ? string.Empty : $"Authorization: {authorization}\r\n";
        var request = $"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\n{credentials}Connection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var status = int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        var body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        return (status, body);
    }

    /// <summary>The status and the header lines of the answer to <paramref name="method"/> <paramref name="target"/>, each line as sent.</summary>
    public static async Task<(int Status, string[] Headers)> HeadersAsync(Uri server, string method, string target)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var head = response[..response.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n");
        return (int.Parse(head[0].Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture), head[1..]);
    }
}
