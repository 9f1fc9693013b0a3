using Mirror.Cache.Protocol;
using Mirror.Gateway.Upstream;

namespace Mirror.Tests.Gateway;

[TestFixture]
internal sealed class CredentialPolicyTests
{
    [TestCase("https://auth.docker.io/token", "https://registry-1.docker.io", true)]
    [TestCase("https://registry.example.com/token", "https://registry.example.com", true)]
    [TestCase("https://login.example.co.uk/token", "https://registry.example.co.uk", true)]
    [TestCase("https://evil.co.uk/token", "https://registry.example.co.uk", false)]
    [TestCase("https://auth.docker.io.evil.com/token", "https://registry-1.docker.io", false)]
    [TestCase("https://evil.com/token", "https://registry-1.docker.io", false)]
    [TestCase("http://auth.docker.io/token", "https://registry-1.docker.io", false)]
    [TestCase("http://127.0.0.1:5001/token", "http://127.0.0.1:5000", true)]
    [TestCase("http://10.0.0.2/token", "http://127.0.0.1:5000", false)]
    [TestCase("https://10.0.0.2/token", "https://10.0.0.1", false)]
    [TestCase("https://attacker.azurecr.io/oauth2/token", "https://myreg.azurecr.io", false)]
    [TestCase("https://myreg.azurecr.io/oauth2/token", "https://myreg.azurecr.io", true)]
    [TestCase("https://evil-registry.pkg.dev/token", "https://europe-docker.pkg.dev", false)]
    public void AllowsCredentials_OnlyTheUpstreamsHostOrDomain(string realm, string upstream, bool allowed) =>
        Assert.That(CredentialPolicy.AllowsCredentials(new Uri(realm), new Uri(upstream)), Is.EqualTo(allowed));

    [Test]
    public void ParseParameters_QuotedValuesWithCommas_KeepThem()
    {
        var parameters = AuthChallenge.ParseParameters("realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:a/b:pull,push\"");

        Assert.Multiple(() =>
        {
            Assert.That(parameters["realm"], Is.EqualTo("https://auth.docker.io/token"));
            Assert.That(parameters["service"], Is.EqualTo("registry.docker.io"));
            Assert.That(parameters["scope"], Is.EqualTo("repository:a/b:pull,push"));
        });
    }
}
