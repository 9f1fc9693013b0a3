using System.Text.RegularExpressions;

namespace Mirror.Cache.Protocol;

/// <summary>
/// The reference part of a manifest URL: either a tag (<c>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}</c>) or a digest
/// ("distribution-spec: pulling manifests"). Exactly one of <see cref="Tag"/> and <see cref="Digest"/> is set.
/// </summary>
public sealed partial class Reference
{
    private Reference(string? tag, Digest? digest)
    {
        Tag = tag;
        Digest = digest;
    }

    public string? Tag { get; }

    public Digest? Digest { get; }

    public static Reference? TryParse(string text)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return Digest.TryParse(text) is { } digest ? new Reference(null, digest) : null;
        }

        return IsTag(text) ? new Reference(text, null) : null;
    }

    public static bool IsTag(string text) => TagGrammar().IsMatch(text);

    public override string ToString() => Tag ?? Digest!.ToString();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagGrammar();
}
