using System.Globalization;
using System.Text.Json;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Cache.Tags;
using Mirror.Gateway.Diagnostics;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Tags;

/// <summary>
/// <c>GET /v2/&lt;name&gt;/tags/list</c> with <c>n</c> and <c>last</c> ("distribution-spec: listing tags"): the
/// upstream's whole list, sorted, then paged here, with a <c>Link</c> header to the next page. The last list
/// is kept, and served (marked stale) while the upstream cannot be asked.
/// </summary>
internal sealed class TagListEndpoint(TagListResolver tagLists, CacheOutcomes outcomes)
{
    public async Task ServeAsync(HttpContext context, MirroredRegistry registry, RepositoryName clientName)
    {
        var query = context.Request.Query;
        int? pageSize = null;
        if (query.TryGetValue("n", out var n))
        {
            if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                await new OciError(StatusCodes.Status400BadRequest, OciErrorCode.PaginationNumberInvalid, "invalid number of results requested", $"n={n}").WriteAsync(context);
                return;
            }

            pageSize = parsed;
        }

        var list = await tagLists.ListAsync(registry.Client, registry.KeyOf(clientName), context.RequestAborted);
        if (!list.Found)
        {
            await OciError.FromUpstream(list.Status, OciErrorCode.NameUnknown, list.Error).WriteAsync(context);
            return;
        }

        outcomes.Record(context, MirrorMetrics.TagList, list.Result);
        string? last = query.TryGetValue("last", out var l) ? l.ToString() : null;
        var sorted = list.Tags.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Where(tag => last is null || string.CompareOrdinal(tag, last) > 0)
            .ToList();
        await WriteAsync(context, registry, clientName, sorted, pageSize);
    }

    /// <summary>One page of the sorted tags, with a <c>Link</c> to the next when there is one (distribution-spec "listing tags").</summary>
    private static async Task WriteAsync(HttpContext context, MirroredRegistry registry, RepositoryName clientName, List<string> sorted, int? pageSize)
    {
        var page = pageSize is { } size ? sorted.Take(size).ToList() : sorted;

        // The name as the client asked for it: with containerd's ns as it was sent, else behind its host.
        var ns = context.Request.Query[MirroredRegistries.NamespaceParameter].ToString();
        var asked = ns.Length > 0 || registry.IsDefault ? clientName.Value : $"{registry.Host}/{clientName}";
        if (page.Count > 0 && page.Count < sorted.Count)
        {
            var selection = ns.Length > 0 ? $"&{MirroredRegistries.NamespaceParameter}={Uri.EscapeDataString(ns)}" : string.Empty;
            context.Response.Headers.Link = $"</v2/{asked}/tags/list?n={pageSize}&last={Uri.EscapeDataString(page[^1])}{selection}>; rel=\"next\"";
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = MediaTypes.Json;
        var body = JsonSerializer.SerializeToUtf8Bytes(new TagListBody(asked, page), TagListJson.Default.TagListBody);
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
