using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Listening;

/// <summary>Starts a <see cref="ResponseRateWatch"/> for a large response body, as <c>mirror.limits.minresponserate</c> and <c>minresponsegrace</c> say.</summary>
internal sealed class ResponseRates(IOptions<ServerOptions> options, TimeProvider time, ILogger<ResponseRateWatch> logger)
{
    /// <summary>A watch over <paramref name="context"/>'s body, to be disposed when it ends; <c>null</c> when the rate is 0 (off).</summary>
    public ResponseRateWatch? Watch(HttpContext context) =>
        options.Value.MinResponseRate > 0
            ? new ResponseRateWatch(context, options.Value.MinResponseRate, options.Value.MinResponseGrace, time, logger)
            : null;
}
