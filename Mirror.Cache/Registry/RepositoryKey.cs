namespace Mirror.Cache.Registry;

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
    /// <summary>The key as one string: the name, behind its upstream's host when there is one (<c>ghcr.io/owner/app</c>).</summary>
    public string Value => Upstream is null ? Name.Value : $"{Upstream}/{Name.Value}";

    /// <summary>A key of the first upstream, by name alone.</summary>
    public static RepositoryKey Of(RepositoryName name) => new(null, name);

    /// <summary>Whether <paramref name="value"/> is a key's <see cref="Value"/>: a name, behind a host or not.</summary>
    public static bool IsValue(string value)
    {
        if (RepositoryName.TryParse(value) is not null)
        {
            return true;
        }

        // A host with a port is no name component: registry.example:5000/owner/app.
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon < slash
            && RepositoryName.TryParse(value[..colon]) is not null
            && value[(colon + 1)..slash].All(char.IsAsciiDigit) && slash > colon + 1
            && RepositoryName.TryParse(value[(slash + 1)..]) is not null;
    }

    public override string ToString() => Value;
}
