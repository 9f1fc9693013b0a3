using System.Text;
using Mirror.Cache.Protocol;

namespace Mirror.Tests.Cache;

[TestFixture]
internal sealed class ManifestTypesTests
{
    private const string Index = "{\"schemaVersion\":2,\"manifests\":[]}";

    [TestCase(MediaTypes.OciManifest)]
    [TestCase(MediaTypes.OciIndex)]
    [TestCase(MediaTypes.DockerManifest)]
    [TestCase(MediaTypes.DockerManifestList)]
    [TestCase(MediaTypes.DockerManifestV1)]
    [TestCase(MediaTypes.DockerManifestV1Signed)]
    public void TryResolve_ContentTypeIsAManifestType_IsThatType(string type) =>
        Assert.That(ManifestTypes.TryResolve(type, "not even JSON"u8), Is.EqualTo(type));

    [Test]
    public void TryResolve_ContentTypeInAnotherCase_IsTheCanonicalSpelling() =>
        Assert.That(ManifestTypes.TryResolve("Application/Vnd.Docker.Distribution.Manifest.V2+Json", "{}"u8), Is.EqualTo(MediaTypes.DockerManifest));

    [TestCase("text/html")]
    [TestCase("application/xhtml+xml")]
    [TestCase("image/svg+xml")]
    [TestCase("application/vnd.oci.artifact.manifest.v1+json")]
    [TestCase("application/vnd.oci.image.config.v1+json")]
    public void TryResolve_ContentTypeNamesAnotherType_IsNull_WhateverTheBodySays(string contentType)
    {
        var body = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.OciIndex}\",\"manifests\":[]}}";

        Assert.Multiple(() =>
        {
            Assert.That(ManifestTypes.TryResolve(contentType, Encoding.UTF8.GetBytes(body)), Is.Null);
            Assert.That(ManifestTypes.NamesOtherType(contentType), Is.True);
        });
    }

    [TestCase(null)]
    [TestCase("application/json")]
    [TestCase("application/octet-stream")]
    [TestCase("binary/octet-stream")]
    [TestCase("text/plain")]
    public void TryResolve_GenericContentType_TakesTheManifestsOwnMediaType(string? contentType)
    {
        var body = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.DockerManifestList}\",\"manifests\":[]}}";

        Assert.Multiple(() =>
        {
            Assert.That(ManifestTypes.TryResolve(contentType, Encoding.UTF8.GetBytes(body)), Is.EqualTo(MediaTypes.DockerManifestList));
            Assert.That(ManifestTypes.NamesOtherType(contentType), Is.False);
        });
    }

    [TestCase("{\"mediaType\":\"text/html\",\"manifests\":[]}")]
    [TestCase("{\"mediaType\":\"application/vnd.oci.artifact.manifest.v1+json\",\"blobs\":[]}")]
    [TestCase("{\"mediaType\":\"\",\"manifests\":[]}")]
    [TestCase("{\"mediaType\":null,\"manifests\":[]}")]
    [TestCase("{\"mediaType\":[\"application/vnd.oci.image.index.v1+json\"],\"manifests\":[]}")]
    [TestCase("{\"hello\":\"world\"}")]
    [TestCase("{\"config\":{},\"layers\":{}}")]
    [TestCase("{\"schemaVersion\":2,\"fsLayers\":[]}")]
    [TestCase("[{\"manifests\":[]}]")]
    [TestCase("\"application/vnd.oci.image.index.v1+json\"")]
    [TestCase("<html><script>alert(1)</script></html>")]
    [TestCase("")]
    public void TryResolve_GenericContentTypeAndNoManifestInTheBody_IsNull(string body) =>
        Assert.That(ManifestTypes.TryResolve("application/json", Encoding.UTF8.GetBytes(body)), Is.Null);

    [TestCase(Index, MediaTypes.OciIndex)]
    [TestCase("{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:0\"},\"layers\":[]}", MediaTypes.OciManifest)]
    [TestCase("{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", MediaTypes.DockerManifestV1)]
    [TestCase("{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[],\"signatures\":[]}", MediaTypes.DockerManifestV1Signed)]
    public void TryResolve_NeitherNamesAType_TheStructureDoes(string body, string type) =>
        Assert.That(ManifestTypes.TryResolve(null, Encoding.UTF8.GetBytes(body)), Is.EqualTo(type));

    [TestCase(MediaTypes.OciIndex, true)]
    [TestCase("application/vnd.docker.distribution.manifest.v1+prettyjws", true)]
    [TestCase("text/html", false)]
    [TestCase("application/json", false)]
    [TestCase("", false)]
    public void IsServed_OnlyTheManifestTypes(string type, bool served) =>
        Assert.That(ManifestTypes.IsServed(type), Is.EqualTo(served));
}
