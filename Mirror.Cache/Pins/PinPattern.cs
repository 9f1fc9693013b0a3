using Mirror.Cache.Protocol;

namespace Mirror.Cache.Pins;

/// <summary>
/// One <c>mirror.pin</c> pattern: a repository (<c>library/nginx</c>, <c>ghcr.io/org/app</c>), or a prefix
/// ending in <c>*</c> that matches the rest of the name whatever it holds, slashes included
/// (<c>ghcr.io/org/*</c> pins <c>ghcr.io/org/app</c> and <c>ghcr.io/org/team/app</c>).
/// </summary>
internal sealed class PinPattern
{
    private readonly string _text;
    private readonly bool _prefix;

    private PinPattern(string text, bool prefix)
    {
        _text = text;
        _prefix = prefix;
    }

    public static PinPattern Parse(string pattern) =>
        pattern.EndsWith('*') ? new PinPattern(pattern[..^1], prefix: true) : new PinPattern(pattern, prefix: false);

    /// <summary>Whether the repository <paramref name="repository"/> is pinned by this pattern.</summary>
    public bool Matches(RepositoryKey repository)
    {
        var name = repository.ToString();
        return _prefix ? name.StartsWith(_text, StringComparison.Ordinal) : name.Equals(_text, StringComparison.Ordinal);
    }

    public override string ToString() => _prefix ? _text + "*" : _text;
}
