using Mirror.Cache.Diagnostics;
using Mirror.Cache.Manifests;
using Mirror.Cache.Policy;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Policy;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Manifests;

/// <summary>
/// <c>GET</c>/<c>HEAD /v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>, in HTTP: the client's <c>Accept</c> goes
/// to the <see cref="ManifestResolver"/>, and its answer goes back as the manifest (byte for byte, with the
/// upstream's media type), or as the upstream's refusal; under <c>mirror.policy</c>, only when the
/// <see cref="PolicyGate"/> serves it (else 403 <c>DENIED</c>).
/// </summary>
internal sealed class ManifestEndpoint(ManifestResolver manifests, PolicyGate policy, CacheOutcomes outcomes)
{
    public async Task ServeAsync(HttpContext context, MirroredRegistry registry, RepositoryName clientName, Reference reference)
    {
        var head = HttpMethods.IsHead(context.Request.Method);
        var accept = ManifestTypes.AcceptFor(string.Join(", ", context.Request.Headers.Accept.ToArray()));
        var key = registry.KeyOf(clientName);
        var lookup = await manifests.ResolveAsync(registry.Client, key, reference, accept, head, context.RequestAborted);
        foreach (var (header, value) in lookup.RateLimit)
        {
            context.Response.Headers[header] = value;
        }

        if (!lookup.Found)
        {
            if (lookup.RetryAfter is { } wait)
            {
                // RFC 6585 4 and RFC 9110 10.2.3: when manifest GETs may go upstream again, in whole seconds.
                context.Response.Headers.RetryAfter = RetryAfter.Seconds(wait);
            }

            await OciError.FromUpstream(lookup.Status, OciErrorCode.ManifestUnknown, lookup.Error).WriteAsync(context);
            return;
        }

        if (policy.IsOn && await policy.CheckManifestAsync(registry.Client, key, PolicyNames.Of(registry, clientName), reference, lookup, context.RequestAborted) is { Allowed: false } refused)
        {
            // mirror.policy: the refusal names the repository, the digest and why.
            await OciError.Denied(refused.Reason).WriteAsync(context);
            return;
        }

        outcomes.Record(context, MirrorMetrics.Manifest, lookup.Result);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = lookup.MediaType;
        response.ContentLength = lookup.Length;
        response.Headers[RegistryHeaders.ContentDigest] = lookup.Digest!.ToString();
        response.Headers.ETag = $"\"{lookup.Digest}\"";
        if (!head)
        {
            outcomes.Sent(context, MirrorMetrics.Manifest, lookup.Content.Length);
            await response.Body.WriteAsync(lookup.Content, context.RequestAborted);
        }
    }
}
