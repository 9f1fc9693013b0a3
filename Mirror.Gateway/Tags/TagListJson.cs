using System.Text.Json.Serialization;

namespace Mirror.Gateway.Tags;

[JsonSerializable(typeof(TagListBody))]
internal sealed partial class TagListJson : JsonSerializerContext;
