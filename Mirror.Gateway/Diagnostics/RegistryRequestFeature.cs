using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Diagnostics;

/// <summary>What the request log needs to know about a registry request, gathered while it is served.</summary>
internal sealed class RegistryRequestFeature
{
    /// <summary>The registry the request is for (<c>docker.io</c>), the <c>upstream</c> label of its metrics.</summary>
    public string Upstream { get; set; } = "-";

    public string Repository { get; set; } = "-";

    public string Reference { get; set; } = "-";

    public CacheResult Result { get; set; }

    /// <summary>Body bytes sent by the mirror's own copy loops; <c>null</c> when it wrote the body in one piece.</summary>
    public long? BytesSent { get; set; }
}
