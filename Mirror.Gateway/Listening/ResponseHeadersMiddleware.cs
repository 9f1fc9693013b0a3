using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Listening;

/// <summary>
/// Adds <c>http.headers</c> to every response, as distribution does, and <c>X-Content-Type-Options:
/// nosniff</c> to every one whatever they say: the mirror serves upstream bytes on its own origin, where a
/// browser may hold its Basic credentials, and no browser may guess an HTML page out of one (Fetch standard,
/// "X-Content-Type-Options"). The header is set once, when the response starts, over any value YARP copied
/// from an upstream or <c>http.headers</c> gave.
/// </summary>
internal sealed class ResponseHeadersMiddleware(RequestDelegate next, IOptions<ServerOptions> options)
{
    private const string NoSniff = "nosniff";

    private static readonly Func<object, Task> SetNoSniff = state =>
    {
        ((HttpResponse)state).Headers[HeaderNames.XContentTypeOptions] = NoSniff;
        return Task.CompletedTask;
    };

    private readonly KeyValuePair<string, string[]>[] _headers =
        [.. options.Value.Headers.Where(h => !h.Key.Equals(HeaderNames.XContentTypeOptions, StringComparison.OrdinalIgnoreCase))];

    public Task InvokeAsync(HttpContext context)
    {
        foreach (var (name, values) in _headers)
        {
            context.Response.Headers.Append(name, values);
        }

        context.Response.OnStarting(SetNoSniff, context.Response);
        return next(context);
    }
}
