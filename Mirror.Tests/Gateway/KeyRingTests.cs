using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// Data protection's keys are ephemeral; nothing at start loads a key ring from <c>~/.aspnet/DataProtection-Keys</c>
/// (which in the image would be the store's volume) before Kestrel listens (#22).
/// </summary>
[TestFixture]
internal sealed class KeyRingTests : FakeUpstreamTests
{
    [Test]
    public void Start_HostedServices_NoneWarmsTheDataProtectionKeyRing()
    {
        using var mirror = new MirrorFactory(Upstream.Url, TempDir.Combine("store"));

        var hosted = mirror.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(hosted, Has.Some.EqualTo("GatewayStartup"), "the mirror's own hosted services are there");
            Assert.That(hosted, Has.None.EqualTo("DataProtectionHostedService"));
        });
    }
}
