using System.Text.Json;

namespace Mirror.Gateway.Registry;

/// <summary>
/// The platforms <c>--platform</c> names (<c>os/architecture[/variant]</c>, as docker writes them); with none,
/// every platform of a list or index is prefetched.
/// </summary>
internal sealed class PlatformFilter(IReadOnlyList<string> platforms)
{
    public static PlatformFilter All { get; } = new([]);

    public bool IsAll => platforms.Count == 0;

    public IReadOnlyList<string> Platforms => platforms;

    /// <summary>Whether <paramref name="text"/> is a platform as <c>--platform</c> takes one.</summary>
    public static bool IsPlatform(string text) =>
        text.Split('/') is { Length: 2 or 3 } parts && parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'));

    /// <summary>
    /// Whether a list's descriptor is wanted. A filter on <c>linux/arm64</c> takes every variant of it, one on
    /// <c>linux/arm64/v8</c> only that variant; descriptors without a platform (attestations are
    /// <c>unknown/unknown</c>) only come with every platform.
    /// </summary>
    public bool Wants(JsonElement descriptor)
    {
        if (IsAll)
        {
            return true;
        }

        var name = NameOf(descriptor);
        return platforms.Any(p => name.Equals(p, StringComparison.OrdinalIgnoreCase) || name.StartsWith(p + "/", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A descriptor's platform as <c>os/architecture[/variant]</c>, or <c>unknown</c>.</summary>
    public static string NameOf(JsonElement descriptor)
    {
        if (!descriptor.TryGetProperty("platform", out var platform) || platform.ValueKind != JsonValueKind.Object)
        {
            return "unknown";
        }

        string? Field(string name) => platform.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var name = $"{Field("os") ?? "unknown"}/{Field("architecture") ?? "unknown"}";
        return Field("variant") is { Length: > 0 } variant ? $"{name}/{variant}" : name;
    }
}
