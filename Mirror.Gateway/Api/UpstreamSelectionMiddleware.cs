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

        // The name's first component when it is a host.
        var parsed = RegistryPath.Parse(path);
        var slash = parsed.Name.IndexOf('/', StringComparison.Ordinal);
        var first = slash > 0 && MirroredRegistries.IsHost(parsed.Name[..slash]) ? parsed.Name[..slash] : null;
        var named = first is null ? null : registries.Find(first);
        var (selected, refusal) = Select(context, parsed, first, named);
        if (refusal is not null)
        {
            return refusal.WriteAsync(context);
        }

        if (selected is not null)
        {
            context.Request.Path = OneForm(path, parsed, selected, named is null ? null : slash);
        }

        return next(context);
    }

    /// <summary>
    /// The registry the request is for: the one <c>ns</c> names, else the one its first component names, else
    /// the default; or why none is. Neither, with no refusal: a name kept as it is.
    /// </summary>
    private (MirroredRegistry? Registry, OciError? Refusal) Select(HttpContext context, RegistryPath parsed, string? first, MirroredRegistry? named)
    {
        if (context.Request.Query.TryGetValue(MirroredRegistries.NamespaceParameter, out var ns) && ns.Count > 0)
        {
            var host = ns[0] ?? string.Empty;
            return registries.Find(host) switch
            {
                null => (null, Unknown(host)),
                var chosen when named is not null && named != chosen =>
                    (null, OciError.NotFound(OciErrorCode.NameUnknown, $"'{OciError.Printable(host)}' and '{OciError.Printable(first!)}' name two registries")),

                // The catalog and other paths outside a repository are the default upstream's only.
                { IsDefault: false } chosen when parsed.Name.Length == 0 && parsed.Endpoint != RegistryEndpoint.Ping =>
                    (null, OciError.NotFound(OciErrorCode.Unsupported, $"only repositories are mirrored from {chosen.Host}")),
                var chosen => (chosen, null),
            };
        }

        if (first is not null && named is null)
        {
            // With no other registry configured, a name is the default upstream's, whatever it looks like.
            return (null, registries.HasOthers ? Unknown(first) : null);
        }

        return (named ?? registries.Default, null);
    }

    /// <summary>
    /// One form for the rest of the pipeline: the host, as configured, before the name of every registry but
    /// the default; a host the client wrote (containerd's override_path layout, podman's location) taken off.
    /// </summary>
    private static PathString OneForm(string path, RegistryPath parsed, MirroredRegistry selected, int? hostEnd)
    {
        var rest = path[RegistryPath.Root.Length..];
        if (hostEnd is { } slash)
        {
            rest = rest[(slash + 1)..];
        }

        if (!selected.IsDefault && parsed.Name.Length > 0)
        {
            rest = selected.Host + "/" + rest;
        }

        return new PathString(RegistryPath.Root + rest);
    }

    private static OciError Unknown(string host) =>
        OciError.NotFound(OciErrorCode.NameUnknown, $"'{OciError.Printable(host)}' is not a registry this mirror mirrors");
}
