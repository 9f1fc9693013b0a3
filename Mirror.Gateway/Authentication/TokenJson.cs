using System.Text.Json.Serialization;

namespace Mirror.Gateway.Authentication;

/// <summary>Source-generated JSON for the token service's answer and its tokens' <c>access</c> claim.</summary>
[JsonSerializable(typeof(TokenAnswer))]
[JsonSerializable(typeof(List<GrantedAccess>))]
internal sealed partial class TokenJson : JsonSerializerContext;
