using Mirror.Cache.Protocol;

namespace Mirror.Tests.Cache;

[TestFixture]
internal sealed class RepositoryNameTests
{
    [TestCase("busybox", 1)]
    [TestCase("library/busybox", 2)]
    [TestCase("org/team/app", 3)]
    [TestCase("a.b_c__d---e/f-1", 2)]
    public void TryParse_Valid_CountsComponents(string text, int components) =>
        Assert.That(RepositoryName.TryParse(text)?.ComponentCount, Is.EqualTo(components));

    [TestCase("")]
    [TestCase("Busybox")]
    [TestCase("library//busybox")]
    [TestCase("/busybox")]
    [TestCase("busybox/")]
    [TestCase("..")]
    [TestCase("library/../etc")]
    [TestCase("a..b")]
    [TestCase("-a")]
    [TestCase("a_-b")]
    [TestCase("a\0b")]
    [TestCase("a%2fb")]
    public void TryParse_Invalid_ReturnsNull(string text) => Assert.That(RepositoryName.TryParse(text), Is.Null);

    [Test]
    public void TryParse_LongerThan255_ReturnsNull()
    {
        var name = string.Join('/', Enumerable.Repeat(new string('a', 50), 6));

        Assert.That(RepositoryName.TryParse(name), Is.Null);
    }

    [Test]
    public void WithPrefix_AddsLeadingComponent() =>
        Assert.That(RepositoryName.Parse("busybox").WithPrefix("library").Value, Is.EqualTo("library/busybox"));
}
