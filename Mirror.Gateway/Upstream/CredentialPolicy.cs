using System.Net;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// Decides whether the mirror's configured credentials may go to a token realm. The upstream names the realm
/// in its challenge, so a hostile or compromised upstream could name any host: credentials go only to the
/// upstream's own host or its registrable domain (<c>auth.docker.io</c> for <c>registry-1.docker.io</c>), and
/// never over plain http unless the upstream itself is plain http on the same host.
/// </summary>
internal static class CredentialPolicy
{
    // Second-level labels under which country-code domains register names (example.co.uk): without the
    // public suffix list, these keep co.uk from counting as a registrable domain.
    private static readonly HashSet<string> SecondLevelRegistries = new(StringComparer.OrdinalIgnoreCase)
    {
        "co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "gob", "nic",
    };

    // Domains under which many tenants each have their own name (the public suffix list's private section,
    // for the clouds registries live on): myreg.azurecr.io and attacker.azurecr.io are two parties.
    private static readonly string[] SharedSuffixes =
    [
        "azurecr.io", "amazonaws.com", "pkg.dev", "github.io", "gitlab.io", "appspot.com", "run.app", "cloudfront.net",
        "azurewebsites.net", "core.windows.net", "herokuapp.com", "fly.dev", "workers.dev", "r2.dev", "ngrok.io", "ngrok-free.app",
        "vercel.app", "netlify.app", "onrender.com", "digitaloceanspaces.com",
    ];

    public static bool AllowsCredentials(Uri realm, Uri upstream)
    {
        var sameHost = realm.IdnHost.Equals(upstream.IdnHost, StringComparison.OrdinalIgnoreCase);
        if (realm.Scheme != Uri.UriSchemeHttps)
        {
            return realm.Scheme == Uri.UriSchemeHttp && upstream.Scheme == Uri.UriSchemeHttp && sameHost;
        }

        if (sameHost)
        {
            return true;
        }

        if (IPAddress.TryParse(realm.IdnHost, out _) || IPAddress.TryParse(upstream.IdnHost, out _))
        {
            return false;
        }

        var domain = RegistrableDomain(upstream.IdnHost);
        return domain is not null && domain.Equals(RegistrableDomain(realm.IdnHost), StringComparison.OrdinalIgnoreCase);
    }

    internal static string? RegistrableDomain(string host)
    {
        var labels = host.TrimEnd('.').Split('.');
        if (labels.Length < 2)
        {
            return null;
        }

        var shared = SharedSuffixes.FirstOrDefault(suffix => host.TrimEnd('.').EndsWith("." + suffix, StringComparison.OrdinalIgnoreCase));
        var take = shared is not null ? shared.Count(c => c == '.') + 2
            : labels.Length >= 3 && labels[^1].Length == 2 && SecondLevelRegistries.Contains(labels[^2]) ? 3 : 2;
        return labels.Length < take ? null : string.Join('.', labels[^take..]);
    }
}
