using System.Text.RegularExpressions;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Signatures;

/// <summary>
/// The tags that hold what belongs to an image rather than being one: cosign's <c>sha256-&lt;hex&gt;.sig</c>,
/// <c>.att</c> and <c>.sbom</c> (sigstore/cosign specs/SIGNATURE_SPEC.md, "Tag-based Discovery"), and the
/// OCI referrers tag schema's <c>sha256-&lt;hex&gt;</c> (distribution-spec 1.1, "Referrers Tag Schema").
/// </summary>
public static partial class SignatureTags
{
    /// <summary>cosign's signature tag suffix.</summary>
    public const string Signature = ".sig";

    /// <summary>Every companion tag of a digest: cosign's three, then the referrers tag schema's bare one.</summary>
    public static readonly IReadOnlyList<string> Suffixes = [Signature, ".att", ".sbom", ""];

    /// <summary>The companion tag of <paramref name="digest"/> with <paramref name="suffix"/>: <c>sha256-&lt;hex&gt;.sig</c>.</summary>
    public static string Of(Digest digest, string suffix) => $"{digest.Algorithm}-{digest.Hex}{suffix}";

    /// <summary>
    /// The name under which the tag store keeps the upstream's referrers answer for <paramref name="digest"/>:
    /// revalidated as a tag is, but never a tag (no tag has an <c>@</c>), so it is never served as one.
    /// </summary>
    public static string ReferrersRecord(Digest digest) => $"@referrers/{Of(digest, string.Empty)}";

    /// <summary>Whether a tag store record is <see cref="ReferrersRecord"/>'s rather than a tag's.</summary>
    public static bool IsReferrersRecord(string tag) => tag.StartsWith("@referrers/", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="tag"/> is a companion tag (a signature, attestation, SBOM or referrers index).</summary>
    public static bool IsCompanion(string tag) => CompanionTag().IsMatch(tag);

    [GeneratedRegex("^(sha256-[0-9a-f]{64}|sha512-[0-9a-f]{128})(\\.sig|\\.att|\\.sbom)?$", RegexOptions.CultureInvariant)]
    private static partial Regex CompanionTag();
}
