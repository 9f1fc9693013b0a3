using Mirror.Cache;

namespace Mirror.Gateway.Diagnostics;

/// <summary>What the request log needs to know about a registry request, gathered while it is served.</summary>
internal sealed class RegistryRequestFeature
{
    public string Repository { get; set; } = "-";

    public string Reference { get; set; } = "-";

    public CacheResult Result { get; set; }

    /// <summary>Body bytes sent by the mirror's own copy loops; <c>null</c> when it wrote the body in one piece.</summary>
    public long? BytesSent { get; set; }
}
