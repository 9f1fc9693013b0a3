using System.Text.Json.Serialization;

namespace Mirror.Gateway.Authentication;

/// <summary>The token endpoint's answer, named as Docker's token specification names it (<c>token</c>, <c>access_token</c>, <c>expires_in</c>, <c>issued_at</c>).</summary>
internal sealed record TokenAnswer(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("issued_at")] string IssuedAt);
