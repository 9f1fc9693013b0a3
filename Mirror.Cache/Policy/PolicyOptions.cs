namespace Mirror.Cache.Policy;

/// <summary><c>mirror.policy</c>: rules, the first matching a repository decides; none means no policy (everything is served).</summary>
public sealed class PolicyOptions
{
    public IReadOnlyList<PolicyRule> Rules { get; set; } = [];

    /// <summary>How long a refusal is kept before the signatures are read again (a signature may be pushed after its image).</summary>
    public TimeSpan RefusalTtl { get; set; } = TimeSpan.FromMinutes(1);

    public bool IsOn => Rules.Count > 0;

    /// <summary>The first rule that covers <paramref name="name"/> (<see cref="RepositoryPattern"/>'s spelling); <c>null</c> when none does.</summary>
    public PolicyRule? RuleFor(string name) => Rules.FirstOrDefault(rule => rule.Covers(name));
}
