using System.Net.Http.Headers;
using System.Text;

namespace Mirror.Cache.Protocol;

/// <summary>
/// A <c>WWW-Authenticate</c> challenge the mirror can answer (RFC 9110 11.6.1): <c>Bearer</c> with the
/// token realm, service and scope of the Docker token protocol, or <c>Basic</c>.
/// </summary>
public sealed record AuthChallenge(string Scheme, Uri? Realm, string? Service, string? Scope)
{
    public const string Bearer = "Bearer";
    public const string Basic = "Basic";

    public bool IsBearer => Scheme.Equals(Bearer, StringComparison.OrdinalIgnoreCase);

    /// <summary>The first challenge the mirror can answer: a Bearer with a usable realm, else a Basic.</summary>
    public static AuthChallenge? Select(HttpHeaderValueCollection<AuthenticationHeaderValue> challenges)
    {
        AuthChallenge? basic = null;
        foreach (var challenge in challenges)
        {
            if (challenge.Scheme.Equals(Bearer, StringComparison.OrdinalIgnoreCase))
            {
                var parameters = ParseParameters(challenge.Parameter);
                if (parameters.TryGetValue("realm", out var realmText) && Uri.TryCreate(realmText, UriKind.Absolute, out var realm)
                    && (realm.Scheme == Uri.UriSchemeHttps || realm.Scheme == Uri.UriSchemeHttp))
                {
                    return new AuthChallenge(Bearer, realm, parameters.GetValueOrDefault("service"), parameters.GetValueOrDefault("scope"));
                }
            }
            else if (challenge.Scheme.Equals(Basic, StringComparison.OrdinalIgnoreCase))
            {
                basic ??= new AuthChallenge(Basic, null, null, null);
            }
        }

        return basic;
    }

    /// <summary>Parses <c>key=value</c> and <c>key="quoted, value"</c> pairs separated by commas.</summary>
    internal static Dictionary<string, string> ParseParameters(string? text)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (text is not null && i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var equals = text.IndexOf('=', i);
            if (equals < 0)
            {
                break;
            }

            var key = text[i..equals].Trim();
            i = equals + 1;
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i]);
                }

                i++;
            }
            else
            {
                for (; i < text.Length && text[i] != ','; i++)
                {
                    value.Append(text[i]);
                }
            }

            parameters[key] = value.ToString().Trim();
        }

        return parameters;
    }
}
