using System.Text;
using Mirror.Cache.Protocol;

namespace Mirror.Tests.Cache;

/// <summary>The one reader and writer of OCI error bodies (distribution-spec "error codes"), which the mirror, its upstream client and its prefetch client share.</summary>
[TestFixture]
internal sealed class OciErrorBodyTests
{
    [Test]
    public void TryRead_SeveralErrors_ReadsTheFirstOnesCodeMessageAndDetail()
    {
        var body = """{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"x"}},{"code":"DENIED"}]}""";

        var error = OciErrorBody.TryRead(Encoding.UTF8.GetBytes(body));

        Assert.That(error, Is.EqualTo(new OciErrorBody("NAME_UNKNOWN", "repository name not known to registry", null)), "a detail that is no string reads as none");
    }

    [TestCase("")]
    [TestCase("not json")]
    [TestCase("[1,2]")]
    [TestCase("""{"errors":[]}""")]
    [TestCase("""{"errors":{"code":"DENIED"}}""")]
    [TestCase("""{"errors":["DENIED"]}""")]
    [TestCase("""{"message":"no errors here"}""")]
    public void TryRead_NotAnOciErrorBody_IsNull(string body) => Assert.That(OciErrorBody.TryRead(Encoding.UTF8.GetBytes(body)), Is.Null);

    [Test]
    public void TryRead_CodeThatIsNoString_ReadsAsNoCode() =>
        Assert.That(OciErrorBody.TryRead("""{"errors":[{"code":404,"message":"gone"}]}"""u8.ToArray()), Is.EqualTo(new OciErrorBody(null, "gone")));

    [Test]
    public void ToJson_WithAndWithoutDetail_IsTheSpecsShapeAndReadsBack()
    {
        var with = new OciErrorBody(OciErrorCode.Denied, "requested access to the resource is denied", "the upstream refused");
        var without = new OciErrorBody(OciErrorCode.BlobUnknown, "blob unknown to registry");

        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(without.ToJson()), Is.EqualTo("""{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}"""));
            Assert.That(OciErrorBody.TryRead(with.ToJson()), Is.EqualTo(with));
            Assert.That(OciErrorBody.TryRead(without.ToJson()), Is.EqualTo(without));
        });
    }
}
