using System.Text.Json.Serialization;

namespace Mirror.Gateway.Authentication;

/// <summary>One entry of a token's <c>access</c> claim: <c>{type, name, actions}</c>, as distribution reads it.</summary>
internal sealed record GrantedAccess(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("actions")] string[] Actions);
