using Mirror.Cache.Protocol;

namespace Mirror.Cache.Policy;

/// <summary>
/// The verdict on a manifest from the signatures its repository holds for it: served when one verifies
/// against a trusted key and its payload is cosign's and names the manifest's digest; otherwise the first
/// reason that holds of untrusted key, digest claim mismatch or no readable signature.
/// </summary>
public static class SignatureDecision
{
    /// <summary>
    /// Decides for <paramref name="subject"/> in <paramref name="name"/> from <paramref name="signatures"/>, each
    /// with its payload's bytes (<c>null</c> when it could not be read).
    /// </summary>
    public static PolicyVerdict Decide(string name, Digest subject, IReadOnlyList<(CosignSignature Signature, byte[]? Payload)> signatures, PolicyRule rule)
    {
        SimpleSigningPayload? claimedOther = null;
        var read = 0;
        foreach (var (signature, payload) in signatures)
        {
            if (payload is null)
            {
                continue;
            }

            read++;
            if (rule.Keys.FirstOrDefault(key => key.Verifies(payload, signature.Signature)) is not { } key)
            {
                continue;
            }

            var claims = SimpleSigningPayload.TryRead(payload);
            if (claims is { IsCosign: true } && claims.ManifestDigest == subject)
            {
                return new PolicyVerdict(PolicyResult.Allowed, $"{name}@{subject} is signed by {key.Name}");
            }

            claimedOther ??= claims ?? new SimpleSigningPayload(null, null);
        }

        if (claimedOther is not null)
        {
            var claim = claimedOther.IsCosign ? $"names {claimedOther.ManifestDigest?.ToString() ?? "no digest"}" : $"is not a cosign payload (critical.type '{claimedOther.Type}')";
            return new PolicyVerdict(PolicyResult.DigestMismatch, $"{name}@{subject} refused by {rule.Name}: its signature by a trusted key {claim}, not this manifest's digest");
        }

        return read == 0
            ? new PolicyVerdict(PolicyResult.NoSignature, $"{name}@{subject} refused by {rule.Name}: no signature payload of its {signatures.Count} signature(s) could be read")
            : new PolicyVerdict(PolicyResult.UntrustedKey, $"{name}@{subject} refused by {rule.Name}: {read} signature(s), none by a trusted key ({string.Join(", ", rule.Keys.Select(k => k.Name))})");
    }
}
