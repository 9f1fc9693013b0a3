using System.Net;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

[TestFixture]
internal sealed class RegistryApiTests : InProcessMirrorTests
{
    [TestCase("/v2/")]
    [TestCase("/v2")]
    public async Task Get_VersionCheck_Is200WithApiVersionAndNoUpstreamRequest(string path)
    {
        using var response = await Client.GetAsync(path);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.GetValues("Docker-Distribution-API-Version").Single(), Is.EqualTo("registry/2.0"));
            Assert.That(Upstream.Log, Is.Empty, "the version check never depends on the upstream");
        });
    }

    [TestCase("POST", "/v2/library/busybox/blobs/uploads/")]
    [TestCase("PUT", "/v2/library/busybox/manifests/latest")]
    [TestCase("PATCH", "/v2/library/busybox/blobs/uploads/1234")]
    [TestCase("DELETE", "/v2/library/busybox/manifests/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [TestCase("DELETE", "/v2/library/busybox/blobs/sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [TestCase("PUT", "/v2/_catalog")]
    public async Task Write_AnyPushOrDelete_Is405Unsupported(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent([1, 2, 3]) };

        using var response = await Client.SendAsync(request);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
            Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("UNSUPPORTED"));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [TestCase("/v2/library/busybox/manifests/sha256:zzzz", "DIGEST_INVALID")]
    [TestCase("/v2/library/busybox/manifests/md5:d41d8cd98f00b204e9800998ecf8427e", "DIGEST_INVALID")]
    [TestCase("/v2/library/busybox/manifests/sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", "DIGEST_INVALID")]
    [TestCase("/v2/library/busybox/blobs/sha256:zzzz", "DIGEST_INVALID")]
    [TestCase("/v2/library/busybox/blobs/latest", "DIGEST_INVALID")]
    [TestCase("/v2/library/busybox/manifests/-bad", "TAG_INVALID")]
    [TestCase("/v2/Library/BusyBox/manifests/latest", "NAME_INVALID")]
    [TestCase("/v2/library//busybox/manifests/latest", "NAME_INVALID")]
    [TestCase("/v2/library/busy..box/manifests/latest", "NAME_INVALID")]
    [TestCase("/v2/library/%2e%2e/manifests/latest", "NAME_INVALID")]
    [TestCase("/v2/library%2fbusybox/manifests/latest", "NAME_INVALID")]
    [TestCase("/v2/library/../../etc/manifests/latest", "NAME_INVALID")]
    [TestCase("/v2/library/busybox/blobs/sha256:..%2f..%2f..%2fetc%2fpasswd", "NAME_INVALID")]
    [TestCase("/v2/library/busybox/tags/list?n=x", "PAGINATION_NUMBER_INVALID")]
    public async Task Get_MalformedInput_Is400WithSpecCodeAndNoUpstreamRequest(string target, string code)
    {
        var (status, body) = await RawHttp.GetAsync(MirrorHost.Address, target);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(400));
            Assert.That(OciErrors.CodeOf(body), Is.EqualTo(code));
            Assert.That(Upstream.Log, Is.Empty);
        });
    }

    [Test]
    public async Task Get_EncodedNul_IsRefusedByKestrelWith400()
    {
        // Kestrel refuses an encoded NUL in the target before the application sees it (with its own empty 400).
        var (status, _) = await RawHttp.GetAsync(MirrorHost.Address, "/v2/library/busybox%00/manifests/latest");

        Assert.That(status, Is.EqualTo(400));
        Assert.That(Upstream.Log, Is.Empty);
    }

    [Test]
    public async Task Get_OutsideTheRegistryApi_Is404WithOciError()
    {
        using var response = await Client.GetAsync("/etc/passwd");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("UNSUPPORTED"));
    }

    [Test]
    public async Task Get_UpperCaseV2_IsNoRegistryPathAndNoServerError()
    {
        var (status, _) = await RawHttp.GetAsync(MirrorHost.Address, "/V2/library/busybox/manifests/latest");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.LessThan(500));
            Assert.That(MirrorHost.Logs.Lines, Has.None.StartsWith("Error"));
        });
    }

    [Test]
    public async Task Get_VeryLongPath_Is400NameInvalid()
    {
        var name = string.Join('/', Enumerable.Repeat("abcdefghij", 200));

        using var response = await Client.GetAsync($"/v2/{name}/manifests/latest");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("NAME_INVALID"));
    }

    [Test]
    public async Task Get_HugeHeaders_Is431WithOciError()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/library/busybox/manifests/latest");
        request.Headers.Add("X-Padding", new string('a', 20 * 1024));

        using var response = await Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestHeaderFieldsTooLarge));
        Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("SIZE_INVALID"));
    }

    [Test]
    public async Task Get_BadInput_NeverTouchesAPathOutsideTheStore()
    {
        var outside = TempDir.Combine("outside");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "secret"), "TOP-SECRET-CONTENT");

        var store = TempDir.Combine("store");
        var relative = Path.GetRelativePath(store, Path.Combine(outside, "secret"));
        foreach (var target in new[] { $"/v2/a/blobs/{relative}", $"/v2/a/blobs/sha256:{relative.Replace("/", "%2F")}", $"/v2/a/manifests/{relative}" })
        {
            var (status, body) = await RawHttp.GetAsync(MirrorHost.Address, target);
            Assert.That(status, Is.InRange(400, 499), target);
            Assert.That(body, Does.Not.Contain("TOP-SECRET-CONTENT"), target);
        }
    }

    [Test]
    public async Task Get_UploadStatus_Is404BlobUploadUnknown()
    {
        using var response = await Client.GetAsync("/v2/library/busybox/blobs/uploads/0d9b0c5d");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await OciErrors.CodeOf(response), Is.EqualTo("BLOB_UPLOAD_UNKNOWN"));
    }
}
