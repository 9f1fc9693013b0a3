using Microsoft.Extensions.Configuration;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Forwarder;
using Mirror.Gateway.Upstream;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary><c>mirror.upstreams</c> as the file writes it, into each upstream's options and its YARP cluster.</summary>
[TestFixture]
internal sealed class UpstreamsConfigurationTests
{
    private TestDirectory _directory = null!;

    [SetUp]
    public void SetUp() => _directory = new TestDirectory();

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [Test]
    public void Upstreams_AsTheIssueWritesThem_AreEachRegistryWithItsOwnSettings()
    {
        var options = Read("""
            proxy: {remoteurl: 'http://127.0.0.1:5999'}
            mirror:
              timeouts: {connect: 3s}
              upstreams:
                ghcr.io: {}
                quay.io: {username: bot, password: secret, tagttl: 1m, timeouts: {idle: 7s}}
                registry.example:5000:
                  remoteurl: https://registry.example:5000
                  prefix: dockerhub-proxy
                  httpproxy: http://proxy.example:3128
            """);

        Assert.Multiple(() =>
        {
            Assert.That(options.Default.Host, Is.EqualTo("docker.io"));
            Assert.That(options.Others.Select(o => o.Host), Is.EqualTo(new[] { "ghcr.io", "quay.io", "registry.example:5000" }));
            Assert.That(options.Others[0].RemoteUrl, Is.EqualTo(new Uri("https://ghcr.io")));
            Assert.That(options.Others[0].HasCredentials, Is.False);
            Assert.That(options.Others[0].Timeouts.Connect, Is.EqualTo(TimeSpan.FromSeconds(3)), "mirror.timeouts by default");
            Assert.That(options.Others[1].Username, Is.EqualTo("bot"));
            Assert.That(options.Others[1].TagTtl, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(options.Others[1].Timeouts.Idle, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(options.Others[2].Prefix, Is.EqualTo("dockerhub-proxy"));
            Assert.That(options.Others[2].OutboundProxy, Is.EqualTo(new Uri("http://proxy.example:3128")));
        });
    }

    [Test]
    public void Clusters_OnePerUpstream_CarryItsDestinationProxyAndIdleBound()
    {
        var options = Read("""
            mirror:
              upstreams:
                registry.example:5000: {remoteurl: 'https://registry.example:5000', httpproxy: 'http://proxy.example:3128', timeouts: {idle: 9s}}
            """);

        var config = ForwarderConfig.Build(options).GetConfig();

        var cluster = config.Clusters.Single(c => c.ClusterId == options.Others[0].ForwarderClusterId);
        Assert.Multiple(() =>
        {
            Assert.That(config.Routes.Single().ClusterId, Is.EqualTo(options.Default.ForwarderClusterId));
            Assert.That(config.Clusters.Single(c => c.ClusterId == options.Default.ForwarderClusterId).Destinations!.Single().Value.Address, Is.EqualTo("https://registry-1.docker.io/"));
            Assert.That(cluster.Destinations!.Single().Value.Address, Is.EqualTo("https://registry.example:5000/"));
            Assert.That(cluster.HttpClient!.WebProxy!.Address, Is.EqualTo(new Uri("http://proxy.example:3128")));
            Assert.That(cluster.HttpClient.WebProxy.BypassOnLocal, Is.False);
            Assert.That(cluster.HttpRequest!.ActivityTimeout, Is.EqualTo(TimeSpan.FromSeconds(9)));
        });
    }

    [Test]
    public void UnknownKeys_UnderAnUpstream_AreNamedWithTheirHost()
    {
        var configuration = Load("""
            mirror:
              upstreams:
                registry.example:5000: {remoteurl: 'https://registry.example:5000', insecure: true}
                ghcr.io: {timeouts: {idle: 5s, total: 1m}}
                quay.io: {}
            """);

        Assert.That(DistributionConfiguration.UnknownKeys(configuration), Is.EqualTo(new[] { "mirror.upstreams.ghcr.io.timeouts.total", "mirror.upstreams.registry.example:5000.insecure" }));
    }

    [Test]
    public void Limits_AsWritten_BoundEveryUpstream_AndAreKnownKeys()
    {
        const string yaml = """
            mirror:
              limits: {taglistbytes: 32MiB, taglistpages: 500, tokenbytes: 1MB}
              upstreams:
                ghcr.io: {}
            """;
        var options = Read(yaml);
        var defaults = Read("proxy: {remoteurl: 'http://127.0.0.1:5999'}").Default.Limits;

        Assert.Multiple(() =>
        {
            foreach (var upstream in new[] { options.Default, options.Others[0] })
            {
                Assert.That(upstream.Limits.TagListBytes, Is.EqualTo(32L << 20));
                Assert.That(upstream.Limits.TagListPages, Is.EqualTo(500));
                Assert.That(upstream.Limits.TokenBytes, Is.EqualTo(1_000_000));
            }

            Assert.That((defaults.TagListBytes, defaults.TagListPages, defaults.TokenBytes), Is.EqualTo((8L << 20, 100, 256L << 10)));
            Assert.That(DistributionConfiguration.UnknownKeys(Load(yaml)), Is.Empty);
        });
    }

    private UpstreamsOptions Read(string yaml)
    {
        var options = new UpstreamsOptions();
        new UpstreamsOptionsSetup(new ConfigurationReader(Load(yaml))).Configure(options);
        return options;
    }

    private IConfigurationRoot Load(string yaml)
    {
        var file = _directory.Combine("config.yml");
        File.WriteAllText(file, yaml);
        var source = new YamlConfigurationSource { Path = file, Optional = false };
        source.ResolveFileProvider();
        return new ConfigurationBuilder().Add(source).Build();
    }
}
