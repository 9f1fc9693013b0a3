using Mirror.Cache.Pins;
using Mirror.Cache.Protocol;

namespace Mirror.Tests.Cache;

[TestFixture]
internal sealed class PinPatternTests
{
    [TestCase("library/nginx", null, "library/nginx", true)]
    [TestCase("library/nginx", null, "library/nginx-extra", false)]
    [TestCase("library/nginx", "ghcr.io", "library/nginx", false)]
    [TestCase("ghcr.io/org/*", "ghcr.io", "org/app", true)]
    [TestCase("ghcr.io/org/*", "ghcr.io", "org/team/app", true)]
    [TestCase("ghcr.io/org/*", "ghcr.io", "organisation/app", false)]
    [TestCase("ghcr.io/org/*", null, "org/app", false)]
    [TestCase("library/*", null, "library/redis", true)]
    [TestCase("library/*", "quay.io", "library/redis", false)]
    public void Matches_RepositoryKey_AsTheStoreWritesItForPeople(string pattern, string? registry, string name, bool expected) =>
        Assert.That(PinPattern.Parse(pattern).Matches(new RepositoryKey(registry, RepositoryName.Parse(name))), Is.EqualTo(expected));
}
