using System.Text.Json.Serialization;

namespace Mirror.Cache.Quota;

/// <summary>
/// Source-generated JSON for a cluster's quota records in Redis (readings and holds): no reflection, so the
/// native build (PublishAot) reads and writes them as the JIT build does. Default options: the names in Redis
/// stay as they were (PascalCase record properties).
/// </summary>
[JsonSerializable(typeof(QuotaReading))]
[JsonSerializable(typeof(PullHold))]
internal sealed partial class QuotaJson : JsonSerializerContext;
