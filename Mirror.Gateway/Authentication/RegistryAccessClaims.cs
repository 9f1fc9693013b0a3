using System.Security.Claims;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// The <c>access</c> claim of a registry token ("Docker registry token authentication": a list of
/// <c>{type, name, actions}</c>), as one claim per granted action, <c>type:name:action</c>, so policies ask
/// <c>HasClaim</c>. An action <c>*</c> grants every action, as distribution reads it.
/// </summary>
internal static class RegistryAccessClaims
{
    public const string Type = "registry.access";

    public static IEnumerable<Claim> From(JsonWebToken token)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload));
        if (!payload.RootElement.TryGetProperty("access", out var access) || access.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var claims = new List<Claim>();
        foreach (var item in access.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var action in actions.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String))
            {
                claims.Add(new Claim(Type, $"{type.GetString()}:{name.GetString()}:{action.GetString()}"));
            }
        }

        return claims;
    }

    /// <summary>Whether <paramref name="user"/> holds <paramref name="action"/> on <paramref name="resource"/> (<c>type:name</c>).</summary>
    public static bool Grants(ClaimsPrincipal user, string resource, string action) =>
        user.HasClaim(Type, $"{resource}:{action}") || user.HasClaim(Type, $"{resource}:*");
}
