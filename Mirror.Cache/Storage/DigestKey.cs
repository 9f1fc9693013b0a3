using System.Buffers.Binary;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// A digest as the index holds it: the first 32 bytes of the hash and its algorithm, no strings. For
/// <c>sha256</c> that is the whole digest; a <c>sha512</c> digest's key is its first half, which is as
/// unique, and the index keeps the whole <see cref="Digest"/> beside the few entries that have one.
/// </summary>
internal readonly struct DigestKey : IEquatable<DigestKey>
{
    private const int HexLength = 64;

    private DigestKey(ulong h0, ulong h1, ulong h2, ulong h3, bool isSha512)
    {
        H0 = h0;
        H1 = h1;
        H2 = h2;
        H3 = h3;
        IsSha512 = isSha512;
    }

    public ulong H0 { get; }

    public ulong H1 { get; }

    public ulong H2 { get; }

    public ulong H3 { get; }

    public bool IsSha512 { get; }

    public static DigestKey Of(Digest digest)
    {
        _ = TryParseHex(digest.Hex.AsSpan(0, HexLength), digest.Algorithm == "sha512", out var key);
        return key;
    }

    /// <summary>Reads the first 64 hex digits of a digest (lower case, as the store names files).</summary>
    public static bool TryParseHex(ReadOnlySpan<char> hex, bool isSha512, out DigestKey key)
    {
        key = default;
        Span<byte> bytes = stackalloc byte[32];
        if (hex.Length < HexLength || hex[..HexLength].ContainsAnyExcept(LowerHex)
            || Convert.FromHexString(hex[..HexLength], bytes, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        key = new DigestKey(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]),
            isSha512);
        return true;
    }

    public static DigestKey FromSlot(in StoreSlot slot) => new(slot.H0, slot.H1, slot.H2, slot.H3, (slot.Flags & StoreSlot.Sha512) != 0);

    /// <summary>The key of the <c>sha256</c> digest whose hash is these four words, as <see cref="H0"/> to <see cref="H3"/> hold them.</summary>
    public static DigestKey Sha256(ulong h0, ulong h1, ulong h2, ulong h3) => new(h0, h1, h2, h3, isSha512: false);

    /// <summary>The <c>sha256</c> digest this key is; a <c>sha512</c> key is only half of one.</summary>
    public Digest ToSha256Digest()
    {
        Span<byte> bytes = stackalloc byte[32];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, H0);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], H1);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], H2);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[24..], H3);
        return Digest.FromHash("sha256", bytes);
    }

    /// <summary>Writes the key's 64 hex digits (a <c>sha256</c> digest's whole hex) to <paramref name="destination"/>.</summary>
    public void FormatHex(Span<char> destination)
    {
        Span<byte> bytes = stackalloc byte[32];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, H0);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], H1);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], H2);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[24..], H3);
        Convert.TryToHexStringLower(bytes, destination, out _);
    }

    public bool Matches(in StoreSlot slot) =>
        slot.H0 == H0 && slot.H1 == H1 && slot.H2 == H2 && slot.H3 == H3 && ((slot.Flags & StoreSlot.Sha512) != 0) == IsSha512;

    public bool Equals(DigestKey other) => H0 == other.H0 && H1 == other.H1 && H2 == other.H2 && H3 == other.H3 && IsSha512 == other.IsSha512;

    public override bool Equals(object? obj) => obj is DigestKey other && Equals(other);

    public override int GetHashCode() => (int)H1;

    public static bool operator ==(DigestKey left, DigestKey right) => left.Equals(right);

    public static bool operator !=(DigestKey left, DigestKey right) => !left.Equals(right);

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
}
