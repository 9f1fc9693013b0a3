

namespace Mirror.Gateway.Registry;

/// <summary>
/// The token scope a request needs, as distribution writes it in challenges: <c>repository:&lt;name&gt;:pull</c>
/// for anything under a repository, <c>registry:catalog:*</c> for the catalog, none for <c>/v2/</c>.
/// </summary>
internal static class RegistryScope
{
    public const string Catalog = "registry:catalog:*";

    public static string? For(PathString path)
    {
        var parsed = RegistryPath.Parse(path.Value ?? "/");
        if (parsed.Name.Length > 0)
        {
            return Pull(parsed.Name);
        }

        return parsed.Endpoint == RegistryEndpoint.Catalog ? Catalog : null;
    }

    public static string Pull(string repository) => $"repository:{repository}:pull";

    /// <summary>
    /// The scope a request to a registry needs: pull on its repository, read from the path after its
    /// <c>/v2/</c> (a remote URL may have a path of its own before it); none outside a repository.
    /// </summary>
    public static string? PullFor(Uri? requestUri)
    {
        var path = requestUri?.AbsolutePath;
        var v2 = path?.IndexOf(RegistryPath.Root, StringComparison.Ordinal) ?? -1;
        if (v2 < 0)
        {
            return null;
        }

        var parsed = RegistryPath.Parse(path![v2..]);
        return parsed.Name.Length == 0 ? null : Pull(parsed.Name);
    }
}
