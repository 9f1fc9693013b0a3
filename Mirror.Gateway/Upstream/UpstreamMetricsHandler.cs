using System.Diagnostics;
using System.Globalization;
using Mirror.Gateway.Diagnostics;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// Counts and times every request that reaches one upstream (challenges, retries and token requests
/// included: it sits below the authentication handler), and keeps its <see cref="UpstreamHealth"/> current.
/// </summary>
internal sealed class UpstreamMetricsHandler(GatewayMetrics metrics, MirroredRegistry registry) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            var status = (int)response.StatusCode;
            metrics.UpstreamRequest(registry.Host, request.Method.Method, status.ToString(CultureInfo.InvariantCulture), Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (status >= 500)
            {
                // Method and status only: /readyz is open, and a path names a repository and a digest.
                registry.Health.Failed($"{request.Method} answered {status}");
            }
            else
            {
                registry.Health.Succeeded();
            }

            return response;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            metrics.UpstreamRequest(registry.Host, request.Method.Method, "error", Stopwatch.GetElapsedTime(started).TotalSeconds);
            if (!cancellationToken.IsCancellationRequested)
            {
                registry.Health.Failed($"{request.Method} failed: {ex.GetType().Name}");
            }

            throw;
        }
    }
}
