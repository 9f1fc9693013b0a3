namespace Mirror.Cache.Policy;

/// <summary>What <c>mirror.policy</c> decided for a manifest (the <c>result</c> label of <c>mirror_policy_decisions_total</c>).</summary>
public enum PolicyResult
{
    /// <summary>Served: an <c>allow: true</c> rule, or a signature that verified against a trusted key.</summary>
    Allowed,

    /// <summary>Refused: no signature in the repository (no <c>sha256-&lt;hex&gt;.sig</c> tag, or none readable).</summary>
    NoSignature,

    /// <summary>Refused: signatures, but none verifies against the rule's keys.</summary>
    UntrustedKey,

    /// <summary>Refused: a signature verifies, but its payload names another digest (or is no cosign payload).</summary>
    DigestMismatch,

    /// <summary>Refused: no rule matches the repository (or an <c>allow: false</c> rule does).</summary>
    NoRule,
}
