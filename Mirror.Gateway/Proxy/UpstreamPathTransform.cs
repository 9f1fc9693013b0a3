using Yarp.ReverseProxy.Transforms;

namespace Mirror.Gateway.Proxy;

/// <summary>
/// Forwards a one-component repository name as <c>library/&lt;name&gt;</c> when the upstream is Docker Hub,
/// as the mirror's own endpoints do: <c>/v2/&lt;name&gt;/&lt;endpoint&gt;/&lt;reference&gt;</c> has exactly three
/// segments after <c>/v2/</c> only when the name has one component.
/// </summary>
internal sealed class UpstreamPathTransform : RequestTransform
{
    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        var path = context.Path.Value;
        if (path is not null && path.StartsWith("/v2/", StringComparison.Ordinal) && path.AsSpan(4).Count('/') == 2 && !path.AsSpan(4).StartsWith("_"))
        {
            context.Path = new PathString("/v2/library/" + path[4..]);
        }

        return ValueTask.CompletedTask;
    }
}
