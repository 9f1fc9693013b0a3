using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Mirror.Cache.Protocol;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// An image built by the suite itself (no Docker Hub here): gzipped tar layers, a config whose diff_ids
/// match them, and a Docker or OCI manifest; or a manifest list / OCI index over several platforms.
/// <see cref="Busybox"/> is a layer with Debian's static busybox, so containers can run.
/// </summary>
internal sealed class TestImage
{
    /// <summary>The sha256 of each layer's uncompressed tar, which the image config lists as diff_ids.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Digest, string> DiffIds = new();

    private TestImage(string repository, string tag, ImageBlob manifest, IReadOnlyList<ImageBlob> blobs, IReadOnlyList<ImageBlob> children)
    {
        Repository = repository;
        Tag = tag;
        Manifest = manifest;
        Blobs = blobs;
        Children = children;
    }

    public string Repository { get; }

    public string Tag { get; }

    /// <summary>The manifest the tag points to (for a list or index, the list itself).</summary>
    public ImageBlob Manifest { get; }

    /// <summary>Every layer and config blob, of every platform.</summary>
    public IReadOnlyList<ImageBlob> Blobs { get; }

    /// <summary>The platform manifests of a list or index.</summary>
    public IReadOnlyList<ImageBlob> Children { get; }

    /// <summary>The name docker uses for it through a mirror: <c>library/x</c> is pulled as <c>x</c>.</summary>
    public string DockerName => (Repository.StartsWith("library/", StringComparison.Ordinal) ? Repository[8..] : Repository) + ":" + Tag;

    public static ImageBlob Busybox() => Layer(tar =>
    {
        tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "bin/") { Mode = (UnixFileMode)0b111_101_101 });
        using var busybox = File.OpenRead("/bin/busybox");
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox") { Mode = (UnixFileMode)0b111_101_101, DataStream = busybox });
        foreach (var applet in new[] { "sh", "echo", "cat", "ls" })
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, $"bin/{applet}") { LinkName = "busybox" });
        }
    });

    /// <summary>A layer with one file of <paramref name="size"/> bytes of seeded random content.</summary>
    public static ImageBlob FileLayer(string path, int size, int seed)
    {
        var content = new byte[size];
        new Random(seed).NextBytes(content);
        return Layer(tar =>
        {
            using var data = new MemoryStream(content);
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, path) { Mode = (UnixFileMode)0b110_100_100, DataStream = data });
        });
    }

    public static TestImage Single(string repository, string tag, bool oci, params ImageBlob[] layers)
    {
        var (manifest, blobs) = Platform("amd64", oci, layers);
        return new TestImage(repository, tag, manifest, blobs, []);
    }

    /// <summary>A Docker manifest list (or OCI index) of an amd64 image with <paramref name="layers"/> and an arm64 one.</summary>
    public static TestImage Multi(string repository, string tag, bool oci, params ImageBlob[] layers)
    {
        var (amd64, amd64Blobs) = Platform("amd64", oci, layers);
        var (arm64, arm64Blobs) = Platform("arm64", oci, [FileLayer("arm64.txt", 1000, repository.Length)]);
        var listType = oci ? MediaTypes.OciIndex : MediaTypes.DockerManifestList;
        var list = new
        {
            schemaVersion = 2,
            mediaType = listType,
            manifests = new[] { (amd64, "amd64"), (arm64, "arm64") }.Select(p => new
            {
                mediaType = p.Item1.MediaType,
                size = p.Item1.Content.Length,
                digest = p.Item1.Digest.ToString(),
                platform = new { architecture = p.Item2, os = "linux" },
            }),
        };
        return new TestImage(repository, tag, new ImageBlob(JsonSerializer.SerializeToUtf8Bytes(list), listType), [.. amd64Blobs, .. arm64Blobs], [amd64, arm64]);
    }

    private static (ImageBlob Manifest, List<ImageBlob> Blobs) Platform(string architecture, bool oci, ImageBlob[] layers)
    {
        var config = new ImageBlob(JsonSerializer.SerializeToUtf8Bytes(new
        {
            architecture,
            os = "linux",
            config = new { Cmd = new[] { "/bin/sh" } },
            rootfs = new { type = "layers", diff_ids = layers.Select(DiffId) },
        }), oci ? "application/vnd.oci.image.config.v1+json" : "application/vnd.docker.container.image.v1+json");
        var layerType = oci ? "application/vnd.oci.image.layer.v1.tar+gzip" : "application/vnd.docker.image.rootfs.diff.tar.gzip";
        var manifestType = oci ? MediaTypes.OciManifest : MediaTypes.DockerManifest;
        var manifest = new
        {
            schemaVersion = 2,
            mediaType = manifestType,
            config = new { mediaType = config.MediaType, size = config.Content.Length, digest = config.Digest.ToString() },
            layers = layers.Select(l => new { mediaType = layerType, size = l.Content.Length, digest = l.Digest.ToString() }),
        };
        return (new ImageBlob(JsonSerializer.SerializeToUtf8Bytes(manifest), manifestType), [config, .. layers]);
    }

    private static ImageBlob Layer(Action<TarWriter> write)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            write(writer);
        }

        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(tar.GetBuffer(), 0, (int)tar.Length);
        }

        var layer = new ImageBlob(gzipped.ToArray(), "layer");
        DiffIds[layer.Digest] = Digest.Compute(tar.GetBuffer().AsSpan(0, (int)tar.Length)).ToString();
        return layer;
    }

    private static string DiffId(ImageBlob layer) => DiffIds[layer.Digest];
}
