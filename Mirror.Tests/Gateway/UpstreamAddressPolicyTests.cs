using System.Net;
using Mirror.Gateway.Upstream;

namespace Mirror.Tests.Gateway;

/// <summary>
/// Where a registry's redirects and token realms may take the mirror: an upstream on the public internet
/// never into the mirror's own network; one inside it, by the operator's choice, anywhere.
/// </summary>
[TestFixture]
internal sealed class UpstreamAddressPolicyTests
{
    private static readonly Dictionary<string, IPAddress[]> Names = new()
    {
        ["registry.public.example"] = [IPAddress.Parse("203.0.113.10")],
        ["cdn.public.example"] = [IPAddress.Parse("198.51.100.7")],
        ["registry.corp.example"] = [IPAddress.Parse("10.1.2.3")],
        ["auth.corp.example"] = [IPAddress.Parse("10.1.2.4")],
        ["rebinding.example"] = [IPAddress.Parse("198.51.100.8"), IPAddress.Parse("127.0.0.1")],
        ["proxy.corp.example"] = [IPAddress.Parse("10.9.9.9")],
    };

    [TestCase("registry.public.example", "cdn.public.example", "198.51.100.7")]
    [TestCase("registry.public.example", "169.254.169.254", "")]
    [TestCase("registry.public.example", "127.0.0.1", "")]
    [TestCase("registry.public.example", "[::1]", "")]
    [TestCase("registry.public.example", "[fd00::1]", "")]
    [TestCase("registry.public.example", "registry.corp.example", "")]
    [TestCase("registry.public.example", "rebinding.example", "198.51.100.8")]
    [TestCase("registry.public.example", "proxy.corp.example", "10.9.9.9")]
    [TestCase("registry.corp.example", "auth.corp.example", "10.1.2.4")]
    [TestCase("10.1.2.3", "auth.corp.example", "10.1.2.4")]
    [TestCase("127.0.0.1", "127.0.0.1", "127.0.0.1")]
    public async Task Allowed_ByWhereTheUpstreamIs(string upstream, string target, string allowed)
    {
        var policy = new UpstreamAddressPolicy(upstream, ["proxy.corp.example"], (host, _) => Task.FromResult(Names[host]));

        var addresses = await policy.AllowedAsync(target, CancellationToken.None);

        Assert.That(string.Join(',', addresses.Select(a => a.ToString())), Is.EqualTo(allowed));
    }

    [Test]
    public void OutboundProxy_LoginInTheUrl_GoesToThatProxyOnly()
    {
        var proxy = new OutboundProxy(new Uri("http://egress:p%40ss@proxy.example:3128"), null, null);

        var destination = new Uri("http://registry.example/v2/");
        var used = proxy.GetProxy(destination)!;

        Assert.Multiple(() =>
        {
            Assert.That(used, Is.EqualTo(new Uri("http://proxy.example:3128/")));
            Assert.That(proxy.Credentials!.GetCredential(used, "Basic")?.UserName, Is.EqualTo("egress"));
            Assert.That(proxy.Credentials!.GetCredential(used, "Basic")?.Password, Is.EqualTo("p@ss"));
            Assert.That(proxy.Credentials!.GetCredential(new Uri("http://other-proxy.example:3128/"), "Basic"), Is.Null);
        });
    }
}
