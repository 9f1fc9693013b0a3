namespace Mirror.Cache.Policy;

/// <summary>
/// One entry of <c>mirror.policy</c>: the repositories it covers and what it asks of them, either signatures
/// by one of <see cref="Keys"/> (<c>sigstore.keys</c>) or nothing (<c>allow: true</c>; <c>allow: false</c> refuses).
/// </summary>
public sealed class PolicyRule(string name, IReadOnlyList<RepositoryPattern> repositories, IReadOnlyList<TrustedKey> keys, bool allow)
{
    /// <summary>The rule's key for messages: <c>mirror.policy.0</c>.</summary>
    public string Name { get; } = name;

    public IReadOnlyList<RepositoryPattern> Repositories { get; } = repositories;

    public IReadOnlyList<TrustedKey> Keys { get; } = keys;

    /// <summary>With no <see cref="Keys"/>: whether the repositories are served.</summary>
    public bool Allow { get; } = allow;

    public bool RequiresSignature => Keys.Count > 0;

    public bool Covers(string name) => Repositories.Any(pattern => pattern.Matches(name));
}
