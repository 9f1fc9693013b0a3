using Microsoft.Extensions.Options;
using Mirror.Gateway.Configuration;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Mirror.Gateway.Proxy;

/// <summary>
/// The transforms on every forwarded request: the upstream's names, no client credentials and no client
/// addresses sent upstream (the mirror speaks for itself), containerd's <c>ns</c> parameter dropped, and no
/// upstream challenge passed back.
/// </summary>
internal sealed class RegistryTransformProvider(IOptions<UpstreamOptions> options) : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        context.UseDefaultForwarders = false;
        if (options.Value.IsDockerHub)
        {
            context.RequestTransforms.Add(new UpstreamPathTransform());
        }

        context.AddRequestHeaderRemove(Microsoft.Net.Http.Headers.HeaderNames.Authorization);
        context.AddQueryRemoveKey("ns");
        context.ResponseTransforms.Add(new HideChallengeTransform());
    }
}
