using Mirror.Gateway.Configuration;
using Mirror.Gateway.Listening;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// <c>http.debug.addr</c> serves metrics, health and the status page without credentials, so the mirror says
/// at start when it listens beyond loopback while authentication is on.
/// </summary>
[TestFixture]
internal sealed class DebugAddressTests : FakeUpstreamTests
{
    private const string Warning = "[2040]";

    [TestCase("0.0.0.0", true)]
    [TestCase("", true)]
    [TestCase("127.0.0.1", false)]
    public async Task Start_WithAuthentication_WarnsWhenTheDebugAddressIsBeyondLoopback(string host, bool warned)
    {
        var port = FreePort.Next();
        using var mirror = await MirrorAsync($"{host}:{port}", auth: true);
        _ = mirror.Address;

        // Served with no credentials, as the warning says.
        using var client = new HttpClient();
        using var status = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/status.json"));

        Assert.Multiple(() =>
        {
            Assert.That(status.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
            Assert.That(mirror.Logs.Lines.Where(l => l.Contains(Warning, StringComparison.Ordinal)).ToList(), warned
                ? Has.One.Contains($"http.debug.addr {host}:{port} listens beyond loopback with authentication on")
                : Is.Empty);
        });
    }

    [Test]
    public async Task Start_WithoutAuthentication_DoesNotWarn()
    {
        using var mirror = await MirrorAsync($"0.0.0.0:{FreePort.Next()}", auth: false);

        _ = mirror.Address;

        Assert.That(mirror.Logs.Lines, Has.None.Contains(Warning));
    }

    [TestCase("127.0.0.1:5001", true)]
    [TestCase("127.0.0.2:5001", true)]
    [TestCase("[::1]:5001", true)]
    [TestCase("localhost:5001", true)]
    [TestCase(":5001", false)]
    [TestCase("0.0.0.0:5001", false)]
    [TestCase("[::]:5001", false)]
    [TestCase("10.0.0.7:5001", false)]
    public void IsLoopback_ListenAddress_IsOnlyForLoopbackAddressesAndLocalhost(string address, bool loopback) =>
        Assert.That(ListenSetup.IsLoopback(ListenAddress.TryParse(address)!), Is.EqualTo(loopback));

    private async Task<MirrorFactory> MirrorAsync(string debug, bool auth)
    {
        var settings = new Dictionary<string, string?> { ["http:debug:addr"] = debug };
        if (auth)
        {
            var htpasswd = TempDir.Combine("htpasswd");
            var made = await EndToEnd.Command.RunAsync("htpasswd", ["-cbB", htpasswd, "alice", "alice-pass-6e2a"]);
            Assert.That(made.Succeeded, Is.True, made.ToString());
            settings["auth:htpasswd:realm"] = "Mirror Realm";
            settings["auth:htpasswd:path"] = htpasswd;
        }

        return new MirrorFactory(Upstream.Url, TempDir.Combine("store"), settings);
    }
}
