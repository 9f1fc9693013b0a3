using System.Text;
using System.Text.Json;
using Mirror.Cache.Protocol;

namespace Mirror.Tests.Support;

/// <summary>Builds manifest JSON for tests, each with its own bytes (and so its own digest).</summary>
internal static class Manifests
{
    public static byte[] Image(Digest config, params Digest[] layers) => Image(MediaTypes.DockerManifest, config, layers);

    public static byte[] Image(string mediaType, Digest config, params Digest[] layers)
    {
        var oci = mediaType == MediaTypes.OciManifest;
        var manifest = new
        {
            schemaVersion = 2,
            mediaType,
            config = new { mediaType = oci ? "application/vnd.oci.image.config.v1+json" : "application/vnd.docker.container.image.v1+json", size = 100, digest = config.ToString() },
            layers = layers.Select(l => new { mediaType = oci ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.docker.image.rootfs.diff.tar.gzip", size = 100, digest = l.ToString() }),
        };
        return JsonSerializer.SerializeToUtf8Bytes(manifest);
    }

    public static byte[] List(string mediaType, params (Digest Digest, string MediaType, string Architecture)[] platforms)
    {
        var list = new
        {
            schemaVersion = 2,
            mediaType,
            manifests = platforms.Select(p => new { mediaType = p.MediaType, size = 100, digest = p.Digest.ToString(), platform = new { architecture = p.Architecture, os = "linux" } }),
        };
        return JsonSerializer.SerializeToUtf8Bytes(list);
    }

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
