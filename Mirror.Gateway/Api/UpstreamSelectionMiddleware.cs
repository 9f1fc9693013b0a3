using Mirror.Cache.Protocol;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Api;

/// <summary>
/// Selects the upstream a registry request is for, before routing, authentication or anything else looks
/// at it, in the two ways clients have: containerd's <c>ns</c> query parameter (sent on every request to a
/// mirror), and a host as the name's first component (<c>/v2/ghcr.io/owner/app/...</c>, for podman's and
/// CRI-O's mirror locations with a path). Either way the request goes on with the name in one form, behind
/// the host for every registry but the default, so the rest of the pipeline reads one name. A host the
/// mirror does not mirror is answered 404 <c>NAME_UNKNOWN</c> at once (containerd then asks the registry
/// itself), and no connection is ever opened to it: the mirror is no proxy to wherever a client points it.
/// </summary>
internal sealed class UpstreamSelectionMiddleware(RequestDelegate next, MirroredRegistries registries)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (!path.StartsWith(RegistryPath.Root, StringComparison.Ordinal))
        {
            return next(context);
        }

        var parsed = RegistryPath.Parse(path);
        var rest = path[RegistryPath.Root.Length..];

        // The name's first component when it is a host, and the path after it.
        var slash = parsed.Name.IndexOf('/', StringComparison.Ordinal);
        var first = slash > 0 && MirroredRegistries.IsHost(parsed.Name[..slash]) ? parsed.Name[..slash] : null;
        var named = first is null ? null : registries.Find(first);

        MirroredRegistry selected;
        if (context.Request.Query.TryGetValue(MirroredRegistries.NamespaceParameter, out var ns) && ns.Count > 0)
        {
            var host = ns[0] ?? string.Empty;
            if (registries.Find(host) is not { } chosen)
            {
                return Unknown(context, host);
            }

            if (named is not null && named != chosen)
            {
                return OciError.NotFound(OciErrorCode.NameUnknown, $"'{OciError.Printable(host)}' and '{OciError.Printable(first!)}' name two registries").WriteAsync(context);
            }

            if (!chosen.IsDefault && parsed.Name.Length == 0 && parsed.Endpoint != RegistryEndpoint.Ping)
            {
                // The catalog and other paths outside a repository are the default upstream's only.
                return OciError.NotFound(OciErrorCode.Unsupported, $"only repositories are mirrored from {chosen.Host}").WriteAsync(context);
            }

            selected = chosen;
        }
        else if (first is not null && named is null)
        {
            if (registries.HasOthers)
            {
                return Unknown(context, first);
            }

            // With no other registry configured, a name is the default upstream's, whatever it looks like.
            return next(context);
        }
        else
        {
            selected = named ?? registries.Default;
        }

        // One form for the rest of the pipeline: the host, as configured, before the name of every registry
        // but the default; a host the client wrote (containerd's override_path layout, podman's location) taken off.
        if (named is not null)
        {
            rest = rest[(slash + 1)..];
        }

        if (!selected.IsDefault && parsed.Name.Length > 0)
        {
            rest = selected.Host + "/" + rest;
        }

        context.Request.Path = new PathString(RegistryPath.Root + rest);
        return next(context);
    }

    private static Task Unknown(HttpContext context, string host) =>
        OciError.NotFound(OciErrorCode.NameUnknown, $"'{OciError.Printable(host)}' is not a registry this mirror mirrors").WriteAsync(context);
}
