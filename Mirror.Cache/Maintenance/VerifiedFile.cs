using Mirror.Cache.Protocol;

namespace Mirror.Cache.Maintenance;

/// <summary>
/// One stored file re-hashed: what it is, what was found, the digest its bytes hash to when that is not its
/// name, and what went wrong when it could not be read or removed.
/// </summary>
public sealed record VerifiedFile(StoredContent Content, VerifyOutcome Outcome, Digest? Actual = null, string? Problem = null)
{
    /// <summary>Whether its bytes did not match its name, removed or not.</summary>
    public bool IsCorrupt => Outcome is VerifyOutcome.Removed or VerifyOutcome.NotRemoved;
}
