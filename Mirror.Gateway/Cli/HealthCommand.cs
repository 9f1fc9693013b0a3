using System.CommandLine;
using System.Net.Security;
using Microsoft.Extensions.Configuration;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Cli;

/// <summary>
/// <c>health [config.yml] [--url URL]</c>: asks a running server's liveness (<c>/healthz</c>) and exits 0 when it
/// answers 2xx, 1 otherwise: a container's <c>HEALTHCHECK</c> that needs no shell tools. Sends nothing but the
/// request; over https the certificate's chain must be trusted, but not its name: the probe goes to this
/// machine's loopback address, which a server certificate rarely names. A certificate from a CA the system does
/// not trust needs <c>http.debug.addr</c> (plain HTTP) for the probe.
/// </summary>
internal static class HealthCommand
{
    public const string Name = "health";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static Command Create(Argument<string?> config)
    {
        var url = new Option<string?>("--url") { Description = $"The URL to ask; default: http.debug.addr, else http.addr, on 127.0.0.1, at {HealthProbe.Path}." };
        var command = new Command(Name, "Ask a running server whether it is alive (exit 0) or not (exit 1), for a container's HEALTHCHECK.") { config, url };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            Uri? target;
            if (parsed.GetValue(url) is { } text)
            {
                if (!Uri.TryCreate(text, UriKind.Absolute, out target) || target.Scheme is not ("http" or "https"))
                {
                    await Console.Error.WriteLineAsync($"mirror: health: --url: '{text}' is not an http or https URL");
                    return ExitCodes.Usage;
                }
            }
            else
            {
                var configuration = new ConfigurationManager();
                configuration.AddDistributionConfiguration(parsed.GetValue(config));
                (target, var error) = HealthProbe.For(configuration);
                if (target is null)
                {
                    await Console.Error.WriteLineAsync($"mirror: health: {error}");
                    return ExitCodes.Failed;
                }
            }

            return await ProbeAsync(target, cancellationToken);
        });
        return command;
    }

    private static async Task<int> ProbeAsync(Uri target, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, errors) => errors is SslPolicyErrors.None or SslPolicyErrors.RemoteCertificateNameMismatch },
        };
        using var client = new HttpClient(handler) { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(target, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return ExitCodes.Success;
            }

            await Console.Error.WriteLineAsync($"mirror: health: {target}: {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"mirror: health: {target}: {ex.Message}");
        }

        return ExitCodes.Failed;
    }
}
