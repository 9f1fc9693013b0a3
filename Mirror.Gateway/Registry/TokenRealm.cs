using System.Net.Http.Headers;
using System.Text.Json;
using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Registry;

/// <summary>
/// Asks a token realm for a token, as distribution's token authentication has clients do ("token
/// authentication specification"): <c>GET realm?service=...&amp;scope=...</c>, anonymously or with Basic
/// credentials, answered with <c>{"token":...,"expires_in":...}</c> (or OAuth's <c>access_token</c>). The
/// answer is read only up to a bound, and within a time; the caller decides whether credentials may go to
/// the realm. The mirror asks its upstreams' realms so, and the prefetch client the mirror's.
/// </summary>
internal sealed class TokenRealm(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, long maxBytes, TimeSpan timeout)
{
    /// <summary>The token lifetime when the realm does not say (the token spec's default).</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A token for <paramref name="scope"/> from <paramref name="challenge"/>'s realm, with
    /// <paramref name="credentials"/> (anonymously when <c>null</c>): granted with the token, refused (4xx, or
    /// no token in the answer), unreachable (no answer, 5xx, 429), or over the bound.
    /// </summary>
    public async Task<TokenAnswer> RequestAsync(AuthChallenge challenge, string? scope, AuthenticationHeaderValue? credentials, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, UrlOf(challenge, scope));
        request.Headers.Authorization = credentials;

        // A token is a few kilobytes: its whole answer, not only its headers, is bounded.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            using var response = await send(request, bounded.Token);
            var status = (int)response.StatusCode;
            if (status >= 500 || status == 429)
            {
                // Down, or asking to slow down: no answer about the credentials either way.
                return TokenAnswer.Unreachable($"the token realm answered {status}");
            }

            if (!response.IsSuccessStatusCode)
            {
                return TokenAnswer.Refused(status);
            }

            return await BoundedBody.ReadAsync(response.Content, maxBytes, bounded.Token) is { } body
                ? Read(body, status)
                : TokenAnswer.TooLarge(maxBytes);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or IOException or TimeoutException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return TokenAnswer.Unreachable(ex.Message);
        }
    }

    /// <summary>The realm's URL with the challenge's service and the scope as its query, after any query of its own.</summary>
    private static string UrlOf(AuthChallenge challenge, string? scope)
    {
        var query = new List<string>();
        if (challenge.Service is not null)
        {
            query.Add("service=" + Uri.EscapeDataString(challenge.Service));
        }

        if (scope is not null)
        {
            query.Add("scope=" + Uri.EscapeDataString(scope));
        }

        var realm = challenge.Realm!;
        var separator = string.IsNullOrEmpty(realm.Query) ? "?" : "&";
        return realm + (query.Count == 0 ? string.Empty : separator + string.Join('&', query));
    }

    /// <summary>The token in a 2xx answer (<c>token</c>, else <c>access_token</c>) and its lifetime; refused when there is none.</summary>
    private static TokenAnswer Read(byte[] body, int status)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object || (StringOf(root, "token") ?? StringOf(root, "access_token")) is not { } token)
        {
            return TokenAnswer.Refused(status);
        }

        var lifetime = root.TryGetProperty("expires_in", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : DefaultLifetime;
        return TokenAnswer.Granted(token, lifetime);
    }

    private static string? StringOf(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
