using Microsoft.Extensions.Configuration;
using Mirror.Gateway.Cli;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// <c>health</c>, the image's HEALTHCHECK: which address it asks for a configuration, and as the built executable,
/// exit 0 while a server answers and 1 when none does.
/// </summary>
[TestFixture]
internal sealed class HealthCommandTests
{
    private TestDirectory _directory = null!;

    [SetUp]
    public void SetUp() => _directory = new TestDirectory();

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [TestCase(null, null, null, "http://127.0.0.1:5000/healthz")]
    [TestCase(":6000", null, null, "http://127.0.0.1:6000/healthz")]
    [TestCase("0.0.0.0:6000", "/tls/cert.pem", null, "https://127.0.0.1:6000/healthz")]
    [TestCase("localhost:6000", "/tls/cert.pem", "127.0.0.1:6001", "http://127.0.0.1:6001/healthz")]
    public void For_Configuration_ProbesTheDebugAddressElseTheMainOne(string? addr, string? certificate, string? debug, string expected)
    {
        var (url, error) = HealthProbe.For(Configuration(("http:addr", addr), ("http:tls:certificate", certificate), ("http:debug:addr", debug)));

        Assert.That(error, Is.Null);
        Assert.That(url, Is.EqualTo(new Uri(expected)));
    }

    [Test]
    public void For_ClientCertificatesWithoutDebugAddress_NamesTheKeyToSet()
    {
        var (url, error) = HealthProbe.For(Configuration(("http:tls:certificate", "/tls/cert.pem"), ("http:tls:clientcas:0", "/tls/ca.pem")));

        Assert.That(url, Is.Null);
        Assert.That(error, Does.Contain("http.debug.addr"));
    }

    [Test]
    public async Task Run_ServerAnswers_ExitsZero_AndOneOnceItIsGone()
    {
        var port = FreePort.Next();
        var config = _directory.Combine("config.yml");
        await File.WriteAllTextAsync(config, $"version: 0.1\nhttp:\n  addr: 127.0.0.1:{port}\nstorage:\n  filesystem:\n    rootdirectory: {_directory.Combine("store")}\n");
        int answering;
        using (var server = GatewayProcess.Start([config]))
        {
            await server.WaitForOutputAsync("Now listening on", TimeSpan.FromSeconds(60));
            (answering, _, _) = await GatewayProcess.RunAsync(["health", config]);
        }

        var (gone, output, _) = await GatewayProcess.RunAsync(["health", "--url", $"http://127.0.0.1:{port}/healthz"]);

        Assert.Multiple(() =>
        {
            Assert.That(answering, Is.EqualTo(ExitCodes.Success));
            Assert.That(gone, Is.EqualTo(ExitCodes.Failed));
            Assert.That(output, Does.Contain($"mirror: health: http://127.0.0.1:{port}/healthz"));
        });
    }

    private static IConfiguration Configuration(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Where(v => v.Value is not null).Select(v => KeyValuePair.Create(v.Key, v.Value))).Build();
}
