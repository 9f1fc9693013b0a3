namespace Mirror.Cache.Proofs;

/// <summary>What is known of one registry's proof of one digest.</summary>
internal enum ProofStatus
{
    /// <summary>The registry has served bytes that hash to the digest.</summary>
    Proven,

    /// <summary>It has not (another registry has), or the proofs cannot be asked now: fails closed.</summary>
    Unproven,

    /// <summary>No registry has: the content was stored before proofs were kept.</summary>
    Unattributed,
}
