using System.Text.Json.Serialization;

namespace Mirror.Gateway.Catalog;

[JsonSerializable(typeof(CatalogBody))]
internal sealed partial class CatalogJson : JsonSerializerContext;
