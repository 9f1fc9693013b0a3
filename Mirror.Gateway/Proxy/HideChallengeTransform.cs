using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Mirror.Gateway.Proxy;

/// <summary>
/// Drops the upstream's <c>WWW-Authenticate</c>: the mirror authenticates to the upstream itself, and a
/// client that followed the upstream's challenge would ask the upstream's token service, not the mirror.
/// </summary>
internal sealed class HideChallengeTransform : ResponseTransform
{
    public override ValueTask ApplyAsync(ResponseTransformContext context)
    {
        context.HttpContext.Response.Headers.Remove(HeaderNames.WWWAuthenticate);
        return ValueTask.CompletedTask;
    }
}
