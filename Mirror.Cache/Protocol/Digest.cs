using System.Security.Cryptography;

namespace Mirror.Cache.Protocol;

/// <summary>
/// A content digest as the OCI image spec defines it ("descriptor: digests"), restricted to the two
/// registered algorithms the mirror can verify: <c>sha256</c> with 64 and <c>sha512</c> with 128 lower-case
/// hex digits. Anything else is not a digest the mirror will store or look up.
/// </summary>
public sealed class Digest : IEquatable<Digest>
{
    private const string Sha256 = "sha256";
    private const string Sha512 = "sha512";

    private readonly string _text;

    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
        _text = algorithm + ":" + hex;
    }

    public string Algorithm { get; }

    public string Hex { get; }

    public static Digest? TryParse(ReadOnlySpan<char> text)
    {
        var colon = text.IndexOf(':');
        if (colon < 0)
        {
            return null;
        }

        var algorithm = text[..colon];
        var hex = text[(colon + 1)..];
        var expectedLength = algorithm switch
        {
            Sha256 => 64,
            Sha512 => 128,
            _ => 0,
        };
        if (expectedLength == 0 || hex.Length != expectedLength || !IsLowerHex(hex))
        {
            return null;
        }

        return new Digest(algorithm.SequenceEqual(Sha256) ? Sha256 : Sha512, hex.ToString());
    }

    public static Digest Parse(string text) =>
        TryParse(text) ?? throw new FormatException($"'{text}' is not a sha256 or sha512 digest.");

    public static Digest FromHash(string algorithm, ReadOnlySpan<byte> hash) =>
        new(algorithm, Convert.ToHexStringLower(hash));

    /// <summary>The sha256 digest of <paramref name="content"/>, for small bodies such as manifests.</summary>
    public static Digest Compute(ReadOnlySpan<byte> content) => FromHash(Sha256, SHA256.HashData(content));

    /// <summary>Computes the digest of <paramref name="content"/> with this digest's algorithm.</summary>
    public bool Matches(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[64];
        var written = Algorithm == Sha256 ? SHA256.HashData(content, hash) : SHA512.HashData(content, hash);
        return Convert.ToHexStringLower(hash[..written]) == Hex;
    }

    public IncrementalHash CreateHash() =>
        IncrementalHash.CreateHash(Algorithm == Sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA512);

    public static bool operator ==(Digest? left, Digest? right) => left?.Equals(right) ?? right is null;

    public static bool operator !=(Digest? left, Digest? right) => !(left == right);

    public bool Equals(Digest? other) => other is not null && _text == other._text;

    public override bool Equals(object? obj) => Equals(obj as Digest);

    public override int GetHashCode() => _text.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => _text;

    private static bool IsLowerHex(ReadOnlySpan<char> hex)
    {
        foreach (var c in hex)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
