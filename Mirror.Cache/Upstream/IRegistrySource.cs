namespace Mirror.Cache.Upstream;

/// <summary>What every port to an upstream says of itself: which registry it is.</summary>
public interface IRegistrySource
{
    /// <summary>
    /// The registry host clients name (<c>docker.io</c>), which keys what is kept per upstream and labels
    /// its metrics (configured hosts only, so the label stays bounded).
    /// </summary>
    string Name { get; }
}
