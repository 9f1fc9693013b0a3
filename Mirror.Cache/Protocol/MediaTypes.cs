namespace Mirror.Cache.Protocol;

/// <summary>The manifest media types the mirror knows by name (image-spec "media types", Docker image manifest v2).</summary>
public static class MediaTypes
{
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerManifestV1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public const string DockerManifestV1 = "application/vnd.docker.distribution.manifest.v1+json";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OctetStream = "application/octet-stream";
    public const string Json = "application/json";

    /// <summary>
    /// What the mirror asks the upstream for when a client names no type: every modern type, so the upstream
    /// answers with the manifest as it was pushed instead of a converted one.
    /// </summary>
    public static readonly string AllManifests = string.Join(", ", OciIndex, OciManifest, DockerManifestList, DockerManifest);
}
