using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Mirror.Gateway.Authentication;

/// <summary>
/// The key ID docker/libtrust gives a public key, which distribution 2.8, docker_auth and GitLab put in a
/// token's <c>kid</c>: SHA-256 of the DER SubjectPublicKeyInfo, its first 30 bytes in base32 (RFC 4648,
/// no padding), in 12 groups of 4 joined by <c>:</c>.
/// </summary>
internal static class LibtrustKeyId
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Of(X509Certificate2 certificate)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo());
        var base32 = Base32(hash.AsSpan(0, 30));
        return string.Join(':', Enumerable.Range(0, base32.Length / 4).Select(i => base32.Substring(i * 4, 4)));
    }

    /// <summary>Base32 of whole 5-byte groups, which is all a 30-byte prefix has: 8 characters per group.</summary>
    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 8 / 5);
        for (var i = 0; i < bytes.Length; i += 5)
        {
            ulong group = 0;
            for (var j = 0; j < 5; j++)
            {
                group = (group << 8) | bytes[i + j];
            }

            for (var shift = 35; shift >= 0; shift -= 5)
            {
                text.Append(Alphabet[(int)((group >> shift) & 31)]);
            }
        }

        return text.ToString();
    }
}
