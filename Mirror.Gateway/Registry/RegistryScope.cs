

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
}
