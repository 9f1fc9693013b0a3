using System.Text.Json.Serialization;

namespace Mirror.Gateway.Tags;

/// <summary>The tag list's JSON body: <c>{"name": ..., "tags": [...]}</c>.</summary>
internal sealed record TagListBody(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags);
