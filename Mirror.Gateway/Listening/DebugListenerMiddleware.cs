using Microsoft.Extensions.Options;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Status;

namespace Mirror.Gateway.Listening;

/// <summary>
/// Keeps the debug listener (<c>http.debug.addr</c>) to metrics, health and the status page (<c>/</c> and
/// <c>/status.json</c>), as distribution's debug server: the registry API is served on the main address only.
/// None of them asks for credentials there, so the address is for the monitoring network (the start warns
/// when it listens beyond loopback with authentication on).
/// </summary>
internal sealed class DebugListenerMiddleware(RequestDelegate next, IOptions<ServerOptions> options)
{
    private readonly int _port = options.Value.DebugAddress?.Port ?? -1;
    private readonly string _metricsPath = options.Value.MetricsPath;

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (context.Connection.LocalPort == _port && !path.Equals(_metricsPath) && !path.Equals("/healthz") && !path.Equals("/readyz")
            && !path.Equals(StatusPaths.Page) && !path.Equals(StatusPaths.Json))
        {
            return OciError.NotFound(OciErrorCode.Unsupported, "the debug listener serves metrics, health and the status page only").WriteAsync(context);
        }

        return next(context);
    }
}
