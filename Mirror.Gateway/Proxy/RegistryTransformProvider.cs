using Mirror.Gateway.Upstream;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Mirror.Gateway.Proxy;

/// <summary>
/// The transforms on every forwarded request: the upstream's names, no client credentials and no client
/// addresses sent upstream (the mirror speaks for itself), containerd's <c>ns</c> parameter dropped, and no
/// upstream challenge passed back.
/// </summary>
internal sealed class RegistryTransformProvider(MirroredRegistries registries) : ITransformProvider
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
        context.RequestTransforms.Add(new UpstreamPathTransform(registries));
        context.AddRequestHeaderRemove(Microsoft.Net.Http.Headers.HeaderNames.Authorization);
        context.AddQueryRemoveKey(MirroredRegistries.NamespaceParameter);
        context.ResponseTransforms.Add(new HideChallengeTransform());
    }
}
