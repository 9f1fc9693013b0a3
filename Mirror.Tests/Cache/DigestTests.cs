using Mirror.Cache.Protocol;

namespace Mirror.Tests.Cache;

[TestFixture]
internal sealed class DigestTests
{
    private const string Hex64 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Test]
    public void TryParse_Sha256_KeepsAlgorithmAndHex()
    {
        var digest = Digest.TryParse("sha256:" + Hex64);

        Assert.That(digest, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(digest!.Algorithm, Is.EqualTo("sha256"));
            Assert.That(digest.Hex, Is.EqualTo(Hex64));
            Assert.That(digest.ToString(), Is.EqualTo("sha256:" + Hex64));
        });
    }

    [TestCase("sha256:zzzz")]
    [TestCase("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [TestCase("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [TestCase("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [TestCase("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [TestCase("sha256:../../../../etc/passwd")]
    [TestCase("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [TestCase("")]
    public void TryParse_Malformed_ReturnsNull(string text) => Assert.That(Digest.TryParse(text), Is.Null);

    [Test]
    public void Compute_EmptyContent_IsTheKnownEmptyDigest() =>
        Assert.That(Digest.Compute([]).ToString(), Is.EqualTo("sha256:" + Hex64));

    [Test]
    public void Equality_SameText_IsEqualByValue()
    {
        var a = Digest.Parse("sha256:" + Hex64);
        var b = Digest.Parse("sha256:" + Hex64);

        Assert.Multiple(() =>
        {
            Assert.That(a == b, Is.True);
            Assert.That(a != b, Is.False);
            Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
        });
    }

    [Test]
    public void Matches_OtherContent_IsFalse()
    {
        var digest = Digest.Compute("abc"u8);

        Assert.Multiple(() =>
        {
            Assert.That(digest.Matches("abc"u8), Is.True);
            Assert.That(digest.Matches("abd"u8), Is.False);
        });
    }
}
