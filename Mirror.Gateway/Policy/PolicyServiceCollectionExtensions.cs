using Mirror.Cache.Policy;
using Mirror.Gateway.Configuration;

namespace Mirror.Gateway.Policy;

/// <summary><c>mirror.policy</c>, read and its keys loaded at start (a bad rule or key stops it).</summary>
internal static class PolicyServiceCollectionExtensions
{
    public static IServiceCollection AddPolicyOptions(this IServiceCollection services) =>
        services.AddOptionsSetup<PolicyOptions, PolicyOptionsSetup>();
}
