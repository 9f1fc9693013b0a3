using System.Text.Json.Serialization;

namespace Mirror.Gateway.Catalog;

/// <summary>The catalog's JSON body: <c>{"repositories": [...]}</c>.</summary>
internal sealed record CatalogBody([property: JsonPropertyName("repositories")] IReadOnlyList<string> Repositories);
