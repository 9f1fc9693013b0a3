using Mirror.Cache;
using Mirror.Cache.Content;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Registry;
using Mirror.Cache.Upstream;
using Mirror.Gateway.Blobs;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Manifests;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Tags;
using Mirror.Gateway.Upstream;
using Yarp.ReverseProxy;

namespace Mirror.Gateway.Api;

/// <summary>
/// The registry API in front of YARP's forwarder: answers the version check, refuses writes, rejects
/// malformed names, tags and digests with the spec's error codes (malformed requests as such were turned
/// away by <see cref="RequestGuardMiddleware"/>), and hands manifests, blobs and tag lists
/// to their endpoints, each with the registry its name selects. Whatever else is under <c>/v2/</c> goes on
/// to YARP and that registry's cluster.
/// </summary>
internal sealed class RegistryApiMiddleware(
    RequestDelegate next,
    ManifestEndpoint manifests,
    BlobEndpoint blobs,
    TagListEndpoint tagLists,
    MirroredRegistries registries,
    IProxyStateLookup proxyState,
    GatewayMetrics metrics)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.Headers[RegistryHeaders.ApiVersion] = RegistryHeaders.ApiVersionValue;
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            return OciError.Unsupported(method).WriteAsync(context);
        }

        var path = RegistryPath.Parse(context.Request.Path.Value!);
        return path.Endpoint switch
        {
            RegistryEndpoint.Ping => PingAsync(context),
            RegistryEndpoint.Other => ForwardAsync(context, registries.Default),
            _ => ServeAsync(context, path),
        };
    }

    private Task ServeAsync(HttpContext context, RegistryPath path)
    {
        var (registry, clientName) = registries.Resolve(path.Name);
        if (RepositoryName.TryParse(clientName) is not { } name)
        {
            return OciError.NameInvalid($"'{OciError.Printable(path.Name)}' is not a repository name").WriteAsync(context);
        }

        if (context.Features.Get<RegistryRequestFeature>() is { } feature)
        {
            feature.Upstream = registry.Host;
            feature.Repository = path.Name;
            feature.Reference = path.Reference.Length > 0 ? path.Reference : "-";
        }

        switch (path.Endpoint)
        {
            case RegistryEndpoint.Manifest:
                if (Reference.TryParse(path.Reference) is not { } reference)
                {
                    return (path.Reference.Contains(':', StringComparison.Ordinal)
                        ? OciError.DigestInvalid($"'{OciError.Printable(path.Reference)}' is not a sha256 or sha512 digest")
                        : new OciError(StatusCodes.Status400BadRequest, OciErrorCode.TagInvalid, "manifest tag did not match URI", $"'{OciError.Printable(path.Reference)}' is not a tag"))
                        .WriteAsync(context);
                }

                metrics.Request(registry.Host, MirrorMetrics.Manifest);
                return manifests.ServeAsync(context, registry, name, reference);
            case RegistryEndpoint.Blob:
                if (Digest.TryParse(path.Reference) is not { } digest)
                {
                    return OciError.DigestInvalid($"'{OciError.Printable(path.Reference)}' is not a sha256 or sha512 digest").WriteAsync(context);
                }

                metrics.Request(registry.Host, MirrorMetrics.Blob);
                return blobs.ServeAsync(context, registry, name, digest);
            case RegistryEndpoint.TagList:
                CacheOutcomes.Mark(context, CacheResult.Bypass);
                return tagLists.ServeAsync(context, registry, name);
            case RegistryEndpoint.Referrers:
                return ForwardAsync(context, registry);
            default:
                return OciError.NotFound(OciErrorCode.BlobUploadUnknown).WriteAsync(context);
        }
    }

    /// <summary>Forwards to <paramref name="registry"/>'s cluster (the route's own is the default's).</summary>
    private Task ForwardAsync(HttpContext context, MirroredRegistry registry)
    {
        CacheOutcomes.Mark(context, CacheResult.Bypass);
        if (!registry.IsDefault)
        {
            if (!proxyState.TryGetCluster(registry.Options.ClusterId, out var cluster))
            {
                // Never another registry's cluster instead.
                return OciError.FromUpstream(SourceStatus.Unavailable, OciErrorCode.Unsupported, UpstreamError.Because($"no cluster for {registry.Host}")).WriteAsync(context);
            }

            context.ReassignProxyRequest(cluster);
        }

        return next(context);
    }

    private static Task PingAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = 2;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync("{}");
    }
}
