using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Blobs;
using Mirror.Gateway.Catalog;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Manifests;
using Mirror.Gateway.Referrers;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Tags;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Api;

/// <summary>
/// The registry API, on YARP's route for <c>/v2</c>: answers the version check, refuses writes, rejects
/// malformed names, tags and digests with the spec's error codes (malformed requests as such were turned
/// away by <see cref="RequestGuardMiddleware"/>), hands manifests, blobs and tag lists to their endpoints,
/// each with the registry its name selects, and the catalog to its own. It ends every request: YARP's
/// forwarder behind it is never reached, so nothing goes upstream but the requests the endpoints make for a
/// route they parsed, checked and were authorised for. Every other path under <c>/v2</c> (another letter
/// case, a trailing slash, an unknown endpoint) is answered here.
/// </summary>
internal sealed class RegistryApiMiddleware(
    ManifestEndpoint manifests,
    BlobEndpoint blobs,
    TagListEndpoint tagLists,
    ReferrersEndpoint referrers,
    CatalogEndpoint catalog,
    MirroredRegistries registries,
    GatewayMetrics metrics) : IMiddleware
{
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
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
            RegistryEndpoint.Catalog => catalog.ServeAsync(context),
            RegistryEndpoint.Other => OciError.NotFound(OciErrorCode.Unsupported, "not a registry API path: see the routes in the mirror's docs/security.md").WriteAsync(context),
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
                return ServeManifestAsync(context, registry, name, path.Reference);
            case RegistryEndpoint.Blob:
                if (Digest.TryParse(path.Reference) is not { } digest)
                {
                    return DigestInvalid(context, path.Reference);
                }

                metrics.Request(registry.Host, MirrorMetrics.Blob);
                return blobs.ServeAsync(context, registry, name, digest);
            case RegistryEndpoint.TagList:
                CacheOutcomes.Mark(context, CacheResult.Bypass);
                return tagLists.ServeAsync(context, registry, name);
            case RegistryEndpoint.Referrers:
                // distribution-spec 1.1, "Listing Referrers": answered from the upstream's API, its tag schema,
                // or the store; a malformed digest is 400, as the spec requires.
                if (Digest.TryParse(path.Reference) is not { } subject)
                {
                    return DigestInvalid(context, path.Reference);
                }

                metrics.Request(registry.Host, MirrorMetrics.Referrers);
                return referrers.ServeAsync(context, registry, name, subject);
            default:
                return OciError.NotFound(OciErrorCode.BlobUploadUnknown).WriteAsync(context);
        }
    }

    private Task ServeManifestAsync(HttpContext context, MirroredRegistry registry, RepositoryName name, string text)
    {
        if (Reference.TryParse(text) is not { } reference)
        {
            return text.Contains(':', StringComparison.Ordinal)
                ? DigestInvalid(context, text)
                : new OciError(StatusCodes.Status400BadRequest, OciErrorCode.TagInvalid, "manifest tag did not match URI", $"'{OciError.Printable(text)}' is not a tag").WriteAsync(context);
        }

        metrics.Request(registry.Host, MirrorMetrics.Manifest);
        return manifests.ServeAsync(context, registry, name, reference);
    }

    private static Task DigestInvalid(HttpContext context, string text) =>
        OciError.DigestInvalid($"'{OciError.Printable(text)}' is not a sha256 or sha512 digest").WriteAsync(context);

    private static Task PingAsync(HttpContext context)
    {
        context.Response.ContentType = MediaTypes.Json;
        context.Response.ContentLength = 2;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync("{}");
    }
}
