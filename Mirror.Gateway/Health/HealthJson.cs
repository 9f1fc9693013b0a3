using System.Text.Json.Serialization;

namespace Mirror.Gateway.Health;

/// <summary>Source-generated JSON for the health answer: no reflection, so the native build writes it too.</summary>
[JsonSerializable(typeof(HealthBody))]
internal sealed partial class HealthJson : JsonSerializerContext;
