using Mirror.Gateway.Upstream;
using Yarp.ReverseProxy.Transforms;

namespace Mirror.Gateway.Proxy;

/// <summary>Forwards a request under the upstream's name for its repository, by the same rule as the mirror's own fetches.</summary>
internal sealed class UpstreamPathTransform(UpstreamNames names) : RequestTransform
{
    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        if (context.Path.Value is { } path)
        {
            context.Path = new PathString(names.ToUpstream(path));
        }

        return ValueTask.CompletedTask;
    }
}
