using Microsoft.Extensions.Options;

namespace Mirror.Gateway.FrontProxy;

/// <summary>Marks requests from a trusted proxy (<see cref="TrustedPeerFeature"/>); runs just before ASP.NET Core's forwarded headers.</summary>
internal sealed class TrustedPeerMiddleware(RequestDelegate next, IOptions<FrontProxyOptions> options)
{
    private readonly FrontProxyOptions _options = options.Value;

    public Task InvokeAsync(HttpContext context)
    {
        if (_options.Trusts(context.Connection.RemoteIpAddress))
        {
            context.Features.Set(TrustedPeerFeature.Instance);
        }

        return next(context);
    }
}
