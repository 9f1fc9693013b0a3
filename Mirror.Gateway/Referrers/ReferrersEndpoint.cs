using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Referrers;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Referrers;

/// <summary>
/// <c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c> (distribution-spec 1.1), in HTTP: the
/// <see cref="ReferrersResolver"/>'s index, filtered by the <c>artifactType</c> query parameter when there is
/// one (then <c>OCI-Filters-Applied: artifactType</c>), or the upstream's refusal.
/// </summary>
internal sealed class ReferrersEndpoint(ReferrersResolver referrers, CacheOutcomes outcomes)
{
    public const string ArtifactType = "artifactType";
    public const string FiltersApplied = "OCI-Filters-Applied";

    public async Task ServeAsync(HttpContext context, MirroredRegistry registry, RepositoryName clientName, Digest subject)
    {
        var lookup = await referrers.ResolveAsync(registry.Client, registry.KeyOf(clientName), subject, context.RequestAborted);
        if (!lookup.Found)
        {
            await OciError.FromUpstream(lookup.Status, OciErrorCode.ManifestUnknown, lookup.Error).WriteAsync(context);
            return;
        }

        outcomes.Record(context, MirrorMetrics.Referrers, lookup.Result);
        var index = lookup.Index;
        var response = context.Response;
        if (context.Request.Query[ArtifactType] is [{ Length: > 0 } artifactType, ..])
        {
            index = ReferrersIndex.Filter(index.Span, artifactType);
            response.Headers[FiltersApplied] = ArtifactType;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = MediaTypes.OciIndex;
        response.ContentLength = index.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(index, context.RequestAborted);
            outcomes.Sent(context, MirrorMetrics.Referrers, index.Length);
        }
    }
}
