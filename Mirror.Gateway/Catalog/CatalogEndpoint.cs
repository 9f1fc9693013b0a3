using System.Globalization;
using System.Text.Json;
using Mirror.Cache.Protocol;
using Mirror.Cache.Repositories;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Catalog;

/// <summary>
/// <c>GET /v2/_catalog</c> with <c>n</c> and <c>last</c> ("distribution-spec: listing repositories"), answered
/// from the store as distribution's proxy answers it, never asked upstream: the repositories the store knows
/// (<see cref="RepositoryCatalog"/>), named as clients name them through the mirror (the default upstream's
/// by name, another registry's behind its host, <c>ghcr.io/owner/app</c>, as <c>/v2/ghcr.io/owner/app/...</c>
/// addresses it), sorted, paged as distribution 2.8.2 pages it, with a <c>Link</c> header to the next page.
/// </summary>
internal sealed class CatalogEndpoint(RepositoryCatalog catalog, MirroredRegistries registries)
{
    /// <summary>distribution's page when the client names none.</summary>
    public const int DefaultEntries = 100;

    /// <summary>distribution's <c>catalog.maxentries</c> default: a larger <c>n</c> is refused.</summary>
    public const int MaxEntries = 1000;

    public async Task ServeAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var entries = DefaultEntries;
        if (query.TryGetValue("n", out var n))
        {
            if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out entries) || entries > MaxEntries)
            {
                await new OciError(StatusCodes.Status400BadRequest, OciErrorCode.PaginationNumberInvalid, "invalid number of results requested", $"n={OciError.Printable(n.ToString())}: 0 to {MaxEntries}").WriteAsync(context);
                return;
            }
        }

        var last = query.TryGetValue("last", out var l) ? l.ToString() : null;
        var names = (await catalog.ListAsync(context.RequestAborted))
            .Select(NameOf)
            .OfType<string>()
            .Where(name => last is null || string.CompareOrdinal(name, last) > 0)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var page = names.Take(entries).ToList();
        if (page.Count > 0 && page.Count < names.Count)
        {
            var ns = query[MirroredRegistries.NamespaceParameter].ToString();
            var selection = ns.Length > 0 ? $"&{MirroredRegistries.NamespaceParameter}={Uri.EscapeDataString(ns)}" : string.Empty;
            context.Response.Headers.Link = $"<{RegistryPath.Catalog}?n={entries}&last={Uri.EscapeDataString(page[^1])}{selection}>; rel=\"next\"";
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = MediaTypes.Json;
        var body = JsonSerializer.SerializeToUtf8Bytes(new CatalogBody(page), CatalogJson.Default.CatalogBody);
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>The name clients pull <paramref name="key"/> by; <c>null</c> for a registry no longer configured.</summary>
    private string? NameOf(RepositoryKey key)
    {
        if (key.Upstream is null)
        {
            return registries.Default.Names.ToClient(key.Name)?.Value;
        }

        return registries.Find(key.Upstream) is { IsDefault: false } registry && registry.Names.ToClient(key.Name) is { } name
            ? $"{registry.Host}/{name}"
            : null;
    }
}
