using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Mirror.Cache.Pins;
using Mirror.Cache.Protocol;
using Mirror.Cache.Watch;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Upstream;
using Mirror.Gateway.Watch;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary><c>mirror.watch</c> and <c>mirror.pin</c> as the file writes them: docker's names, into the store's repository keys.</summary>
[TestFixture]
internal sealed class WatchConfigurationTests
{
    private const string Yaml = """
        proxy: {remoteurl: 'http://127.0.0.1:5999'}
        mirror:
          upstreams:
            ghcr.io: {}
            registry.example:5000: {prefix: hub}
          watchfills: 5
          watch:
            - image: nginx:1.27
              interval: 10m
              platforms: [linux/amd64, linux/arm64/v8]
            - {image: 'ghcr.io/org/app:stable', interval: 1s}
            - {image: 'registry.example:5000/team/app', interval: 1h}
            - {image: 'docker.io/library/redis:7', interval: 30m}
          pin:
            - nginx
            - ghcr.io/org/*
            - docker.io/bitnami/*
            - registry.example:5000/team/app
        """;

    private TestDirectory _directory = null!;

    [SetUp]
    public void SetUp() => _directory = new TestDirectory();

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [Test]
    public void Watch_DockerNames_AreTheStoresRepositoriesWithTheirTagsAndIntervals()
    {
        var (read, upstreams) = Load(Yaml);
        var options = new WatchOptions();
        new WatchOptionsSetup(read, upstreams).Configure(options);

        Assert.Multiple(() =>
        {
            Assert.That(options.Fills, Is.EqualTo(5));
            Assert.That(options.Images.Select(i => i.ToString()), Is.EqualTo(new[] { "library/nginx:1.27", "ghcr.io/org/app:stable", "registry.example:5000/hub/team/app:latest", "library/redis:7" }));
            Assert.That(options.Images[0].Repository, Is.EqualTo(RepositoryKey.Of(RepositoryName.Parse("library/nginx"))), "docker.io's, keyed by name alone");
            Assert.That(options.Images[1].Repository.Upstream, Is.EqualTo("ghcr.io"));
            Assert.That(options.Images.Select(i => i.Interval), Is.EqualTo(new[] { TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), TimeSpan.FromMinutes(30) }));
            Assert.That(options.Images[0].Platforms, Is.EqualTo(new[] { "linux/amd64", "linux/arm64/v8" }));
            Assert.That(options.Images[1].Platforms, Is.Null, "none listed: those pulled before, else the mirror's own");
        });
    }

    [Test]
    public void Pin_DockerNamesAndNamespaces_ArePatternsOfTheStoresRepositories()
    {
        var (read, upstreams) = Load(Yaml);
        var options = new PinOptions();
        new PinOptionsSetup(read, upstreams).Configure(options);

        Assert.That(options.Patterns, Is.EqualTo(new[] { "library/nginx", "ghcr.io/org/*", "bitnami/*", "registry.example:5000/hub/team/app" }));
    }

    [TestCase("mirror.watch.0.image", true)]
    [TestCase("mirror.watch.3.platforms.1", true)]
    [TestCase("mirror.watch.0.platform", false)]
    [TestCase("mirror.watch.0.interval.unit", false)]
    [TestCase("mirror.watch.first.image", false)]
    [TestCase("mirror.pin.2", true)]
    [TestCase("mirror.watchfills", true)]
    public void IsKnownPath_KeysOfTheListOfMaps_OnlyAnEntrysOwn(string key, bool known) =>
        Assert.That(ConfigurationKeys.IsKnownPath(ConfigurationKeys.Path(key)), Is.EqualTo(known));

    private (ConfigurationReader Read, IOptions<UpstreamsOptions> Upstreams) Load(string yaml)
    {
        var file = _directory.Combine("config.yml");
        File.WriteAllText(file, yaml);
        var source = new YamlConfigurationSource { Path = file, Optional = false };
        source.ResolveFileProvider();
        var read = new ConfigurationReader(new ConfigurationBuilder().Add(source).Build());
        var upstreams = new UpstreamsOptions();
        new UpstreamsOptionsSetup(read).Configure(upstreams);
        return (read, Options.Create(upstreams));
    }
}
