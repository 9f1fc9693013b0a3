namespace Mirror.Gateway.Registry;

/// <summary>The parts of the registry API a request can address.</summary>
internal enum RegistryEndpoint
{
    /// <summary><c>/v2/</c>, the API version check.</summary>
    Ping,

    /// <summary><c>/v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>.</summary>
    Manifest,

    /// <summary><c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>.</summary>
    Blob,

    /// <summary><c>/v2/&lt;name&gt;/blobs/uploads/...</c>, which a read-only mirror never has.</summary>
    Upload,

    /// <summary><c>/v2/&lt;name&gt;/tags/list</c>.</summary>
    TagList,

    /// <summary><c>/v2/_catalog</c>: the repositories the store knows.</summary>
    Catalog,

    /// <summary><c>/v2/&lt;name&gt;/referrers/&lt;digest&gt;</c> (distribution-spec 1.1).</summary>
    Referrers,

    /// <summary>Anything else under <c>/v2/</c>: no API path, answered <c>UNSUPPORTED</c> and never forwarded.</summary>
    Other,
}
