using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mirror.Gateway.Status;

/// <summary>Source-generated JSON for <c>/status.json</c>, with ASP.NET Core's web defaults (camelCase) as <c>Results.Json</c> had.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StatusReport))]
internal sealed partial class StatusJson : JsonSerializerContext;
