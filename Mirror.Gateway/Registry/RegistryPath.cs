namespace Mirror.Gateway.Registry;

/// <summary>
/// A <c>/v2/</c> path split into endpoint, repository name and reference, without judging them yet. A name may
/// have any number of components, and a reference never contains <c>/</c>, so the endpoint is read from the end.
/// The API's paths are matched exactly as distribution-spec writes them (lower case, no trailing slash): any
/// other shape is <see cref="RegistryEndpoint.Other"/>, which the mirror answers itself.
/// </summary>
internal sealed record RegistryPath(RegistryEndpoint Endpoint, string Name, string Reference)
{
    public const string Root = "/v2/";

    /// <summary>distribution-spec: "listing repositories".</summary>
    public const string Catalog = "/v2/_catalog";

    public static RegistryPath Parse(string path)
    {
        if (path is "/v2" or Root)
        {
            return new RegistryPath(RegistryEndpoint.Ping, string.Empty, string.Empty);
        }

        if (path == Catalog)
        {
            return new RegistryPath(RegistryEndpoint.Catalog, string.Empty, string.Empty);
        }

        // Routing matches /v2 in any case; the API's paths are lower case, so anything else is no API path.
        if (!path.StartsWith(Root, StringComparison.Ordinal))
        {
            return new RegistryPath(RegistryEndpoint.Other, string.Empty, string.Empty);
        }

        return UnderRepository(path[Root.Length..].Split('/'));
    }

    /// <summary>The endpoints under a repository, read from the end of the path's segments after <c>/v2/</c>.</summary>
    private static RegistryPath UnderRepository(string[] segments)
    {
        var count = segments.Length;
        return segments switch
        {
            [.., "manifests", var reference] when count >= 3 => new RegistryPath(RegistryEndpoint.Manifest, Join(segments, count - 2), reference),
            [.., "blobs", "uploads", var upload] when count >= 4 => new RegistryPath(RegistryEndpoint.Upload, Join(segments, count - 3), upload),
            [.., "blobs", var digest] when count >= 3 => new RegistryPath(RegistryEndpoint.Blob, Join(segments, count - 2), digest),
            [.., "tags", "list"] when count >= 3 => new RegistryPath(RegistryEndpoint.TagList, Join(segments, count - 2), string.Empty),
            [.., "referrers", var digest] when count >= 3 => new RegistryPath(RegistryEndpoint.Referrers, Join(segments, count - 2), digest),
            _ => new RegistryPath(RegistryEndpoint.Other, string.Empty, string.Empty),
        };
    }

    private static string Join(string[] segments, int count) => string.Join('/', segments, 0, count);
}
