namespace Mirror.Cache.Policy;

/// <summary>A decision of <c>mirror.policy</c> and why, as the refusal's message says it.</summary>
public sealed record PolicyVerdict(PolicyResult Result, string Reason)
{
    public bool Allowed => Result == PolicyResult.Allowed;

    /// <summary>The metric label: <c>allowed</c>, <c>unsigned</c>, <c>untrusted-key</c>, <c>digest-mismatch</c>, <c>no-rule</c>.</summary>
    public string Label => Result switch
    {
        PolicyResult.Allowed => "allowed",
        PolicyResult.NoSignature => "unsigned",
        PolicyResult.UntrustedKey => "untrusted-key",
        PolicyResult.DigestMismatch => "digest-mismatch",
        _ => "no-rule",
    };
}
