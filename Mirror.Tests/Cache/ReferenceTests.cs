using Mirror.Cache.Protocol;

namespace Mirror.Tests.Cache;

[TestFixture]
internal sealed class ReferenceTests
{
    [TestCase("latest")]
    [TestCase("1.36.1-musl")]
    [TestCase("_private")]
    [TestCase("UPPER")]
    public void TryParse_Tag_IsTag(string text) => Assert.That(Reference.TryParse(text)?.Tag, Is.EqualTo(text));

    [Test]
    public void TryParse_Digest_IsDigest()
    {
        var reference = Reference.TryParse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

        Assert.That(reference?.Digest, Is.Not.Null);
    }

    [TestCase(".hidden")]
    [TestCase("-dash")]
    [TestCase("a b")]
    [TestCase("sha256:zz")]
    [TestCase("")]
    public void TryParse_Malformed_ReturnsNull(string text) => Assert.That(Reference.TryParse(text), Is.Null);

    [Test]
    public void TryParse_TagOf129Characters_ReturnsNull() => Assert.That(Reference.TryParse(new string('a', 129)), Is.Null);
}
