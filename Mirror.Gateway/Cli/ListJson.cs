using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mirror.Gateway.Cli;

/// <summary>
/// Source-generated JSON for <c>ls --json</c>: web names (camelCase), indented, and media types as written
/// (<c>+json</c>, not <c>\u002Bjson</c>): the output is read by scripts, not embedded in HTML.
/// </summary>
[JsonSerializable(typeof(ListedStore))]
internal sealed partial class ListJson : JsonSerializerContext
{
    public static ListJson Output { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
