using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// Source-generated JSON for the token service's answer and its tokens' <c>access</c> claim. <see cref="Answer"/>
/// writes <c>+</c> as itself, as ASP.NET Core's own JSON options did (<c>UnsafeRelaxedJsonEscaping</c>): docker
/// reads <c>issued_at</c> with Go's <c>time.Time.UnmarshalJSON</c>, which parses the string's raw bytes without
/// unescaping them, so <c>\u002B00:00</c> fails the token answer and docker falls back to the next registry.
/// </summary>
[JsonSerializable(typeof(TokenAnswer))]
[JsonSerializable(typeof(List<GrantedAccess>))]
internal sealed partial class TokenJson : JsonSerializerContext
{
    public static TokenJson Answer { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
