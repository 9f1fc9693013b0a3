namespace Mirror.Cache.Protocol;

/// <summary>
/// A repository as the store keeps what is known of it (its tags, tag list and the digests it holds): the
/// upstream's own name for it, under the upstream it came from. Blobs and manifests are one copy per digest
/// for every upstream; what a repository holds is not, so <c>alpine</c> on one registry never vouches for
/// <c>alpine</c> on another.
/// </summary>
/// <param name="Upstream">
/// The registry host (<c>ghcr.io</c>), or <c>null</c> for the mirror's first upstream, whose repositories
/// the store has always kept under their names alone.
/// </param>
/// <param name="Name">The repository's name on that upstream.</param>
public sealed record RepositoryKey(string? Upstream, RepositoryName Name)
{
    /// <summary>The separator between host and name in <see cref="Value"/>, which no repository name contains.</summary>
    private const string Separator = "//";

    /// <summary>
    /// The key as the store writes it: the name alone for the first upstream, else the host and the name
    /// joined by <c>//</c> (<c>ghcr.io//owner/app</c>), which no name of the first upstream can be, whatever
    /// registries are configured later.
    /// </summary>
    public string Value => Upstream is null ? Name.Value : $"{Upstream}{Separator}{Name.Value}";

    /// <summary>A key of the first upstream, by name alone.</summary>
    public static RepositoryKey Of(RepositoryName name) => new(null, name);

    /// <summary>The key whose <see cref="Value"/> is <paramref name="value"/>, as the store's metadata writes it; <c>null</c> when it is none.</summary>
    public static RepositoryKey? FromValue(string value)
    {
        if (!IsValue(value))
        {
            return null;
        }

        var separator = value.IndexOf(Separator, StringComparison.Ordinal);
        return separator < 0
            ? Of(RepositoryName.Parse(value))
            : new RepositoryKey(value[..separator], RepositoryName.Parse(value[(separator + Separator.Length)..]));
    }

    /// <summary>Whether <paramref name="value"/> is a key's <see cref="Value"/>.</summary>
    public static bool IsValue(string value)
    {
        var separator = value.IndexOf(Separator, StringComparison.Ordinal);
        if (separator < 0)
        {
            return RepositoryName.TryParse(value) is not null;
        }

        // A host, then a name.
        return IsHost(value[..separator]) && RepositoryName.TryParse(value[(separator + Separator.Length)..]) is not null;
    }

    /// <summary>Whether <paramref name="value"/> is an <see cref="Upstream"/>: a host, with a port or not (<c>registry.example:5000</c>).</summary>
    public static bool IsHost(string value)
    {
        var host = value.Split(':');
        return host.Length <= 2 && RepositoryName.TryParse(host[0]) is { ComponentCount: 1 }
            && (host.Length == 1 || (host[1].Length is > 0 and <= 5 && host[1].All(char.IsAsciiDigit)));
    }

    /// <summary>The key as people read it: <c>ghcr.io/owner/app</c>.</summary>
    public override string ToString() => Upstream is null ? Name.Value : $"{Upstream}/{Name.Value}";
}
