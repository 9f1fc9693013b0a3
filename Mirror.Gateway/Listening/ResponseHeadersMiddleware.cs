using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Listening;

/// <summary>
/// Adds <c>http.headers</c> to every response, as distribution does (its sample configuration sets
/// <c>X-Content-Type-Options: nosniff</c>).
/// </summary>
internal sealed class ResponseHeadersMiddleware(RequestDelegate next, IOptions<ServerOptions> options)
{
    private readonly KeyValuePair<string, string[]>[] _headers = [.. options.Value.Headers];

    public Task InvokeAsync(HttpContext context)
    {
        foreach (var (name, values) in _headers)
        {
            context.Response.Headers.Append(name, values);
        }

        return next(context);
    }
}
