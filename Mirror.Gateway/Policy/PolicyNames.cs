using Mirror.Cache.Protocol;
using Mirror.Gateway.Upstream;

namespace Mirror.Gateway.Policy;

/// <summary>
/// A repository as <c>mirror.policy</c>'s patterns name it: docker.io's (the <c>proxy</c> section's upstream)
/// in full as docker names it (<c>library/alpine</c>), another registry's with its host first (<c>ghcr.io/org/app</c>).
/// </summary>
internal static class PolicyNames
{
    public static string Of(MirroredRegistry registry, RepositoryName clientName) =>
        registry.IsDefault ? registry.KeyOf(clientName).Name.Value : $"{registry.Host}/{clientName}";
}
