namespace Mirror.Cache.Proofs;

/// <summary>What the proofs of content need to know of the configuration.</summary>
public sealed class ProofOptions
{
    /// <summary>
    /// Whether registries besides the first upstream are configured (<c>mirror.upstreams</c>); default false.
    /// With them, content stored before proofs were kept is no registry's until a registry serves it again.
    /// </summary>
    public bool OtherRegistries { get; set; }
}
