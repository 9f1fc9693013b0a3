using System.Text.RegularExpressions;

namespace Mirror.Cache.Policy;

/// <summary>
/// A docker repository name pattern of <c>mirror.policy</c>: <c>*</c> stands for any run of characters,
/// <c>/</c> included (<c>library/*</c>, <c>ghcr.io/org/*</c>, <c>*</c>), <c>?</c> for one; names of docker.io
/// are written as docker writes them in full (<c>library/alpine</c>), other registries' with their host first.
/// </summary>
public sealed class RepositoryPattern
{
    private readonly Regex _regex;

    public RepositoryPattern(string pattern)
    {
        Text = pattern;
        _regex = new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
    }

    public string Text { get; }

    public bool Matches(string name) => _regex.IsMatch(name);

    public override string ToString() => Text;
}
