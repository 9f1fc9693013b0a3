using Mirror.Gateway.Upstream;

namespace Mirror.Tests.Gateway;

/// <summary>The environment's proxy read as Go reads it, so the mirror and distribution take the same way out.</summary>
[TestFixture]
internal sealed class OutboundProxyTests
{
    private static readonly Uri HttpProxy = new("http://proxy.example:3128");
    private static readonly Uri HttpsProxy = new("http://secure-proxy.example:3128");

    [TestCase("https://registry.example/v2/", "http://secure-proxy.example:3128/")]
    [TestCase("http://registry.example/v2/", "http://proxy.example:3128/")]
    public void GetProxy_ByScheme_TakesThatVariable(string destination, string proxy) =>
        Assert.That(Proxy(null).GetProxy(new Uri(destination)), Is.EqualTo(new Uri(proxy)));

    [TestCase("http://localhost:5000/v2/")]
    [TestCase("http://127.0.0.1:5000/v2/")]
    [TestCase("http://127.5.6.7/v2/")]
    [TestCase("http://[::1]:5000/v2/")]
    public void IsBypassed_Loopback_AlwaysGoesDirect(string destination) =>
        Assert.That(Proxy(null).IsBypassed(new Uri(destination)), Is.True);

    [TestCase("example.com", "https://example.com/", true)]
    [TestCase("example.com", "https://registry.example.com/", true)]
    [TestCase("example.com", "https://notexample.com/", false)]
    [TestCase(".example.com", "https://registry.example.com/", true)]
    [TestCase(".example.com", "https://example.com/", false)]
    [TestCase("*.example.com", "https://registry.example.com/", true)]
    [TestCase("example.com:5000", "https://example.com:5000/", true)]
    [TestCase("example.com:5000", "https://example.com/", false)]
    [TestCase("10.0.0.0/8", "https://10.1.2.3/", true)]
    [TestCase("10.0.0.0/8", "https://11.1.2.3/", false)]
    [TestCase("192.168.1.5", "https://192.168.1.5:5000/", true)]
    [TestCase("*", "https://anything.example/", true)]
    [TestCase("", "https://anything.example/", false)]
    [TestCase("a.example, example.org", "https://registry.example.org/", true)]
    public void IsBypassed_NoProxy_MatchesAsGoDoes(string noProxy, string destination, bool bypassed) =>
        Assert.That(Proxy(noProxy).IsBypassed(new Uri(destination)), Is.EqualTo(bypassed));

    [TestCase("proxy.example:3128", "http://proxy.example:3128/")]
    [TestCase("http://user:pass@proxy.example:3128", "http://user:pass@proxy.example:3128/")]
    [TestCase("", null)]
    public void ParseProxy_WithoutAScheme_IsHttp(string text, string? expected) =>
        Assert.That(OutboundProxy.ParseProxy(text), Is.EqualTo(expected is null ? null : new Uri(expected)));

    private static OutboundProxy Proxy(string? noProxy) => new(HttpProxy, HttpsProxy, noProxy);
}
