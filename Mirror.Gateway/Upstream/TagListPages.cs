using Microsoft.Net.Http.Headers;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// The pages of an upstream's tag list (distribution-spec "listing tags"): each page's <c>Link</c> header
/// names the next one (RFC 8288, <c>rel="next"</c>), followed only on the upstream's own scheme and host.
/// </summary>
internal static class TagListPages
{
    /// <summary>
    /// The page after <paramref name="current"/>; <c>null</c> at the last page, and for a next page on another
    /// host (or scheme) than <paramref name="upstream"/>: the pipeline would send it the mirror's credentials.
    /// </summary>
    public static Uri? Next(HttpResponseMessage response, Uri current, Uri upstream) =>
        NextPage(response, current) is { } next && next.Scheme == upstream.Scheme && next.Authority.Equals(upstream.Authority, StringComparison.OrdinalIgnoreCase)
            ? next
            : null;

    /// <summary>The <c>rel="next"</c> target of a <c>Link</c> header, resolved against the current page.</summary>
    private static Uri? NextPage(HttpResponseMessage response, Uri current)
    {
        if (!response.Headers.TryGetValues(HeaderNames.Link, out var links))
        {
            return null;
        }

        foreach (var link in links.SelectMany(l => l.Split(',')))
        {
            var open = link.IndexOf('<', StringComparison.Ordinal);
            var close = link.IndexOf('>', StringComparison.Ordinal);
            if (open >= 0 && close > open && link[close..].Contains("rel=\"next\"", StringComparison.OrdinalIgnoreCase))
            {
                return new Uri(current, link[(open + 1)..close]);
            }
        }

        return null;
    }
}
