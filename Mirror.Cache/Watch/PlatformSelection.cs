using System.Runtime.InteropServices;
using System.Text.Json;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Watch;

/// <summary>
/// Which platform manifests of a list or index the watcher fetches. Each platform manifest is a pull on
/// Docker Hub, so only those wanted: the platforms listed for the image; else those clients pulled under the
/// tag before (the platform manifests of its earlier digest that the store holds: the mirror stores a platform
/// manifest only when someone asked for it); else the mirror's own. Entries without a real platform
/// (attestations are <c>unknown/unknown</c>, image-spec: "platform") are never fetched.
/// </summary>
internal static class PlatformSelection
{
    /// <summary>The platform of the machine the mirror runs on, as images name it: <c>linux/amd64</c>.</summary>
    public static string Own { get; } = "linux/" + RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        Architecture.X86 => "386",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64le",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The descriptors of <paramref name="index"/>: digest and platform (<c>os/architecture[/variant]</c>, <c>unknown</c> without one).</summary>
    public static IReadOnlyList<(Digest Digest, string Platform)> Entries(ReadOnlySpan<byte> index)
    {
        var entries = new List<(Digest, string)>();
        try
        {
            var reader = new Utf8JsonReader(index);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
            {
                return entries;
            }

            foreach (var descriptor in manifests.EnumerateArray())
            {
                if (descriptor.ValueKind == JsonValueKind.Object && descriptor.TryGetProperty("digest", out var digest) && Digest.TryParse(digest.GetString()) is { } parsed)
                {
                    entries.Add((parsed, NameOf(descriptor)));
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: nothing to choose from.
        }

        return entries;
    }

    /// <summary>
    /// The entries of <paramref name="entries"/> to fetch: those <paramref name="listed"/> names (an entry named
    /// <c>linux/arm64/v8</c> is wanted by <c>linux/arm64</c>), else those <paramref name="pulledBefore"/> names,
    /// else <paramref name="own"/>'s; never one without a real platform.
    /// </summary>
    public static IReadOnlyList<(Digest Digest, string Platform)> Choose(
        IReadOnlyList<(Digest Digest, string Platform)> entries, IReadOnlyList<string>? listed, IReadOnlyCollection<string> pulledBefore, string own)
    {
        var real = entries.Where(e => IsReal(e.Platform)).ToList();
        IReadOnlyCollection<string> wanted = listed ?? (pulledBefore.Count > 0 ? pulledBefore : [own]);
        return real.Where(e => wanted.Any(w => Matches(e.Platform, w))).ToList();
    }

    /// <summary>Whether <paramref name="platform"/> is one <paramref name="wanted"/> names: the same, or a variant of it.</summary>
    public static bool Matches(string platform, string wanted) =>
        platform.Equals(wanted, StringComparison.OrdinalIgnoreCase) || platform.StartsWith(wanted + "/", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a platform as <c>--platform</c> takes it: <c>os/architecture[/variant]</c>.</summary>
    public static bool IsPlatform(string text) =>
        text.Split('/') is { Length: 2 or 3 } parts && parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'));

    /// <summary>Whether an entry names a platform a client runs: neither its os nor its architecture is <c>unknown</c>.</summary>
    private static bool IsReal(string platform) =>
        platform.Split('/') is [var os, var architecture, ..] && !os.Equals("unknown", StringComparison.OrdinalIgnoreCase) && !architecture.Equals("unknown", StringComparison.OrdinalIgnoreCase);

    private static string NameOf(JsonElement descriptor)
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
