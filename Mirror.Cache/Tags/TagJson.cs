using System.Text.Json.Serialization;

namespace Mirror.Cache.Tags;

/// <summary>
/// Source-generated JSON for the tag journal's records and the stored tag lists (files and Redis): no reflection,
/// so the native build (PublishAot) reads and writes them as the JIT build does. Default options: the names on
/// disk and in Redis stay as they were (PascalCase records, a plain array of strings).
/// </summary>
[JsonSerializable(typeof(TagRecord))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class TagJson : JsonSerializerContext;
