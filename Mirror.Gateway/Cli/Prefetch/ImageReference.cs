using Mirror.Cache.Protocol;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>
/// An image reference as docker reads one (<c>busybox</c>, <c>library/busybox:1.36</c>,
/// <c>ghcr.io/owner/app:tag</c>, <c>name@sha256:...</c>), and the mirror path it is asked for at: docker.io's
/// names as they are (one component gets <c>library/</c>, as docker adds it), another registry's behind its
/// host (<c>/v2/ghcr.io/owner/app/...</c>, the mirror's host-path selection), or with containerd's <c>ns</c>
/// for a host with a port, which a name cannot carry.
/// </summary>
internal sealed record ImageReference(string Text, string? Registry, RepositoryName Repository, string? Tag, Digest? Digest)
{
    private static readonly string[] DockerHubHosts = [UpstreamOptions.DockerIo, "index.docker.io", "registry-1.docker.io"];

    /// <summary>What the manifest is asked for by: the digest when there is one, else the tag (<c>latest</c> by default).</summary>
    public string Reference => Digest?.ToString() ?? Tag ?? "latest";

    /// <summary>The repository's path under the mirror's <c>/v2/</c>, without the trailing part.</summary>
    public string RepositoryPath => Registry is null || Registry.Contains(':', StringComparison.Ordinal)
        ? $"/v2/{Repository.Value}"
        : $"/v2/{Registry}/{Repository.Value}";

    /// <summary>The query that selects the registry when the path cannot (a host with a port).</summary>
    public string Query => Registry is not null && Registry.Contains(':', StringComparison.Ordinal) ? $"?ns={Uri.EscapeDataString(Registry)}" : string.Empty;

    public override string ToString() => Text;

    /// <summary>The reference <paramref name="text"/> is, or <c>null</c> with the reason in <paramref name="problem"/>.</summary>
    public static ImageReference? TryParse(string text, out string? problem)
    {
        var rest = text;
        if (!TrySplitDigest(ref rest, out var digest, out problem) || !TrySplitTag(ref rest, out var tag, out problem) || !TrySplitRegistry(ref rest, out var registry, out problem))
        {
            return null;
        }

        if (registry is null && !rest.Contains('/', StringComparison.Ordinal))
        {
            rest = "library/" + rest;
        }

        if (RepositoryName.TryParse(rest) is not { } name)
        {
            problem = $"'{rest}' is not a repository name (lower-case letters, digits and separators)";
            return null;
        }

        return new ImageReference(text, registry, name, tag, digest);
    }

    /// <summary>Takes <c>@digest</c> off the end of <paramref name="rest"/>, if it has one.</summary>
    private static bool TrySplitDigest(ref string rest, out Digest? digest, out string? problem)
    {
        (digest, problem) = (null, null);
        if (rest.IndexOf('@', StringComparison.Ordinal) is not (var at and >= 0))
        {
            return true;
        }

        digest = Mirror.Cache.Protocol.Digest.TryParse(rest.AsSpan(at + 1));
        problem = digest is null ? $"'{rest[(at + 1)..]}' is not a sha256 or sha512 digest" : null;
        rest = rest[..at];
        return digest is not null;
    }

    /// <summary>Takes <c>:tag</c> off the end of <paramref name="rest"/>, if it has one (a colon after the last slash).</summary>
    private static bool TrySplitTag(ref string rest, out string? tag, out string? problem)
    {
        (tag, problem) = (null, null);
        if (rest.LastIndexOf(':') is not (var colon and >= 0) || colon <= rest.LastIndexOf('/'))
        {
            return true;
        }

        tag = rest[(colon + 1)..];
        rest = rest[..colon];
        problem = Mirror.Cache.Protocol.Reference.IsTag(tag) ? null : $"'{tag}' is not a tag";
        return problem is null;
    }

    /// <summary>
    /// Takes a registry host off the front of <paramref name="rest"/> by docker's rule (a first component with a
    /// dot or a colon, or localhost); Docker Hub's names are no registry, as a name without a host is its.
    /// </summary>
    private static bool TrySplitRegistry(ref string rest, out string? registry, out string? problem)
    {
        (registry, problem) = (null, null);
        if (rest.IndexOf('/', StringComparison.Ordinal) is not (var slash and > 0) || !MirroredRegistries.IsHost(rest[..slash]))
        {
            return true;
        }

        registry = rest[..slash].ToLowerInvariant();
        rest = rest[(slash + 1)..];
        if (registry.Split(':') is [_, var port] && !(int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number is > 0 and <= 65535))
        {
            problem = $"'{registry}' is not a registry host such as ghcr.io or registry.example:5000";
            return false;
        }

        registry = DockerHubHosts.Contains(registry) ? null : registry;
        return true;
    }
}
