using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Health;

/// <summary>Writes a health report as JSON: the overall status and each check's status and description.</summary>
internal static class HealthResponse
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = MediaTypes.Json;
        var body = new HealthBody(
            report.Status.ToString(),
            report.Entries.ToDictionary(e => e.Key, e => new HealthCheckBody(e.Value.Status.ToString(), e.Value.Description)));
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, HealthJson.Default.HealthBody));
    }
}
