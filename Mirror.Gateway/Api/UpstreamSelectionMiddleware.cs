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
        if (context.Request.Query.TryGetValue(MirroredRegistries.NamespaceParameter, out var ns) && ns.Count > 0)
        {
            var host = ns[0] ?? string.Empty;
            if (registries.Find(host) is not { } selected)
            {
                return Unknown(context, host);
            }

            if (!selected.IsDefault && parsed.Endpoint != RegistryEndpoint.Ping)
            {
                if (parsed.Name.Length == 0)
                {
                    // The catalog and other paths outside a repository are the default upstream's only.
                    return OciError.NotFound(OciErrorCode.Unsupported, $"only repositories are mirrored from {selected.Host}").WriteAsync(context);
                }

                context.Request.Path = new PathString(RegistryPath.Root + selected.Host + "/" + path[RegistryPath.Root.Length..]);
            }

            return next(context);
        }

        var slash = parsed.Name.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && parsed.Name[..slash] is var first && MirroredRegistries.IsHost(first))
        {
            switch (registries.Find(first))
            {
                case { IsDefault: true }:
                    // docker.io/library/busybox is the default upstream's library/busybox.
                    context.Request.Path = new PathString(RegistryPath.Root + path[(RegistryPath.Root.Length + slash + 1)..]);
                    break;
                case null when registries.HasOthers:
                    return Unknown(context, first);
            }
        }

        return next(context);
    }

    private static Task Unknown(HttpContext context, string host) =>
        OciError.NotFound(OciErrorCode.NameUnknown, $"'{OciError.Printable(host)}' is not a registry this mirror mirrors").WriteAsync(context);
}
