using System.Text.RegularExpressions;

namespace Mirror.Cache.Protocol;

/// <summary>
/// A repository name in the distribution-spec grammar: path components of lower-case alphanumerics joined by
/// single separators (<c>.</c>, <c>_</c>, <c>__</c>, or any run of <c>-</c>), separated by <c>/</c>, at most
/// 255 characters in all ("distribution-spec: pulling manifests", the <c>&lt;name&gt;</c> pattern).
/// </summary>
public sealed partial class RepositoryName : IEquatable<RepositoryName>
{
    public const int MaxLength = 255;

    private RepositoryName(string value) => Value = value;

    public string Value { get; }

    /// <summary>The number of path components: 1 for <c>busybox</c>, 2 for <c>library/busybox</c>.</summary>
    public int ComponentCount => Value.AsSpan().Count('/') + 1;

    public static RepositoryName? TryParse(string text) =>
        text.Length is > 0 and <= MaxLength && Grammar().IsMatch(text) ? new RepositoryName(text) : null;

    public static RepositoryName Parse(string text) =>
        TryParse(text) ?? throw new FormatException($"'{text}' is not a repository name.");

    /// <summary>Prefixes <paramref name="prefix"/> as a new leading path component.</summary>
    public RepositoryName WithPrefix(string prefix) => Parse(prefix + "/" + Value);

    public static bool operator ==(RepositoryName? left, RepositoryName? right) => left?.Equals(right) ?? right is null;

    public static bool operator !=(RepositoryName? left, RepositoryName? right) => !(left == right);

    public bool Equals(RepositoryName? other) => other is not null && Value == other.Value;

    public override bool Equals(object? obj) => Equals(obj as RepositoryName);

    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Value;

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
