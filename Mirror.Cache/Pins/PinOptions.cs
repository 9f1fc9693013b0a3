namespace Mirror.Cache.Pins;

/// <summary>The repositories whose content expiry and the size budget never remove (<c>mirror.pin</c>).</summary>
public sealed class PinOptions
{
    /// <summary>
    /// Patterns of repositories as the store keys them for people (<see cref="Protocol.RepositoryKey.ToString"/>:
    /// <c>library/nginx</c>, <c>ghcr.io/org/*</c>); a trailing <c>*</c> matches the rest of the name, components
    /// included. Default none.
    /// </summary>
    public IList<string> Patterns { get; set; } = [];
}
