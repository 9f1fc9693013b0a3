using System.Net;
using Microsoft.Extensions.Configuration;
using Mirror.Gateway.Configuration;
using Mirror.Gateway.Listening;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

[TestFixture]
internal sealed class ConfigurationTests
{
    private TestDirectory _directory = null!;

    [SetUp]
    public void SetUp() => _directory = new TestDirectory();

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [Test]
    public void Yaml_DistributionConfig_FlattensIntoConfigurationKeys()
    {
        var configuration = Load("""
            version: 0.1
            log:
              level: debug
              fields:
                service: registry
            storage:
              filesystem:
                rootdirectory: /var/lib/registry
              delete: {enabled: true}
            http:
              addr: :5000
              headers:
                X-Content-Type-Options: [nosniff]
            proxy:
              remoteurl: https://registry-1.docker.io
              username: ~
              ttl: 168h
            """);

        Assert.Multiple(() =>
        {
            Assert.That(configuration["storage:filesystem:rootdirectory"], Is.EqualTo("/var/lib/registry"));
            Assert.That(configuration["http:addr"], Is.EqualTo(":5000"));
            Assert.That(configuration["proxy:remoteurl"], Is.EqualTo("https://registry-1.docker.io"));
            Assert.That(configuration["proxy:ttl"], Is.EqualTo("168h"));
            Assert.That(configuration["proxy:username"], Is.Null);
            Assert.That(configuration["http:headers:X-Content-Type-Options:0"], Is.EqualTo("nosniff"));
            Assert.That(configuration["storage:delete:enabled"], Is.EqualTo("true"));
        });
    }

    [Test]
    public void UnknownKeys_NamesWhatTheMirrorDoesNotRead()
    {
        var configuration = Load("""
            version: 0.1
            log: {level: info, fields: {service: registry}}
            storage: {filesystem: {rootdirectory: /data}, cache: {blobdescriptor: inmemory}}
            proxy: {remoteurl: https://registry-1.docker.io, remoteuri: typo}
            """);

        Assert.That(DistributionConfiguration.UnknownKeys(configuration), Is.EqualTo(new[] { "log.fields.service", "proxy.remoteuri", "storage.cache.blobdescriptor" }));
    }

    [Test]
    public void RedisSection_AsDistribution3WritesIt_IsReadWithItsTuningAccepted()
    {
        var configuration = Load("""
            redis:
              addrs: [redis.internal:6379]
              username: mirror
              password: secret
              db: 2
              poolsize: 10
              maxidleconns: 16
              connmaxidletime: 300s
              dialtimeout: 2s
            """);
        var options = new Mirror.Gateway.Cluster.ClusterOptions();

        new Mirror.Gateway.Cluster.ClusterOptionsSetup(new ConfigurationReader(configuration)).Configure(options);

        Assert.Multiple(() =>
        {
            Assert.That(DistributionConfiguration.UnknownKeys(configuration), Is.Empty);
            Assert.That(DistributionConfiguration.RefusedSettings(configuration), Is.Empty);
            Assert.That(options.Address, Is.EqualTo("redis.internal:6379"));
            Assert.That(options.Username, Is.EqualTo("mirror"));
            Assert.That(options.Password, Is.EqualTo("secret"));
            Assert.That(options.Database, Is.EqualTo(2));
            Assert.That(options.DialTimeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
        });
    }

    [Test]
    public void DerivedKeys_LogLevelReachesLogging()
    {
        var file = _directory.Combine("config.yml");
        File.WriteAllText(file, "log: {level: debug}\nproxy: {remoteurl: 'http://127.0.0.1:5999'}\n");
        var configuration = new ConfigurationManager();

        configuration.AddDistributionConfiguration(file);

        Assert.That(configuration["Logging:LogLevel:Default"], Is.EqualTo("Debug"));
    }

    [TestCase("30s", 30)]
    [TestCase("168h", 168 * 3600)]
    [TestCase("1h30m", 5400)]
    [TestCase("1.5h", 5400)]
    [TestCase("0", 0)]
    [TestCase("2500ms", 2.5)]
    public void GoDuration_Valid_Parses(string text, double seconds) =>
        Assert.That(GoDuration.TryParse(text), Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [TestCase("5x")]
    [TestCase("h")]
    [TestCase("10")]
    [TestCase("-1h")]
    [TestCase("1h 30m")]
    public void GoDuration_Invalid_IsNull(string text) => Assert.That(GoDuration.TryParse(text), Is.Null);

    [TestCase(":5000", null, 5000)]
    [TestCase("127.0.0.1:5001", "127.0.0.1", 5001)]
    [TestCase("[::1]:5002", "::1", 5002)]
    [TestCase("localhost:5003", "localhost", 5003)]
    public void ListenAddress_Valid_Parses(string text, string? host, int port) =>
        Assert.That(ListenAddress.TryParse(text), Is.EqualTo(new ListenAddress(host, port)));

    [TestCase("5000")]
    [TestCase(":99999")]
    [TestCase("http://0.0.0.0:5000")]
    [TestCase("bad host:5000")]
    public void ListenAddress_Invalid_IsNull(string text) => Assert.That(ListenAddress.TryParse(text), Is.Null);

    [TestCase("proxy: {remoteurl: not-a-url}", "proxy.remoteurl")]
    [TestCase("proxy: {remoteurl: 'ftp://example.com'}", "proxy.remoteurl")]
    [TestCase("proxy: {ttl: 5 days}", "proxy.ttl")]
    [TestCase("http: {addr: 'nowhere'}", "http.addr")]
    [TestCase("log: {level: loud}", "log.level")]
    [TestCase("mirror: {limits: {minresponserate: fast}}", "mirror.limits.minresponserate")]
    [TestCase("mirror: {limits: {minresponsegrace: 0}}", "mirror.limits.minresponsegrace")]
    [TestCase("proxy: {username: someone}", "proxy.password")]
    [TestCase("mirror: {upstreams: {ghcr: {}}}", "mirror.upstreams.ghcr: is not a registry host")]
    [TestCase("redis: {addr: 'redis.internal'}", "redis.addr")]
    [TestCase("redis: {addr: '127.0.0.1:6379', db: 99}", "redis.db")]
    [TestCase("redis: {addrs: ['127.0.0.1:6379', '127.0.0.1:6380']}", "redis.addrs")]
    [TestCase("mirror: {upstreams: {'registry.example:99999': {}}}", "mirror.upstreams.registry.example:99999: is not a registry host")]
    [TestCase("mirror: {upstreams: {ghcr.io: 'https://ghcr.io'}}", "mirror.upstreams.ghcr.io: 'https://ghcr.io' is a value")]
    [TestCase("mirror: {upstreams: {docker.io: {}}}", "mirror.upstreams.docker.io: is already an upstream")]
    [TestCase("mirror: {upstreams: {ghcr.io: {remoteurl: nowhere}}}", "mirror.upstreams.ghcr.io.remoteurl")]
    [TestCase("mirror: {upstreams: {'registry.example:5000': {username: bot}}}", "mirror.upstreams.registry.example:5000.password")]
    [TestCase("mirror: {upstreams: {ghcr.io: {prefix: 'Not A Name'}}}", "mirror.upstreams.ghcr.io.prefix")]
    [TestCase("mirror: {upstreams: {ghcr.io: {tagttl: soon}}}", "mirror.upstreams.ghcr.io.tagttl")]
    [TestCase("mirror: {upstreams: {ghcr.io: {cafile: /nonexistent/ca.pem}}}", "mirror.upstreams.ghcr.io.cafile")]
    [TestCase("mirror: {upstreams: {ghcr.io: {httpproxy: 'socks'}}}", "mirror.upstreams.ghcr.io.httpproxy")]
    [TestCase("mirror: {trustedproxies: [nginx.example]}", "mirror.trustedproxies: 'nginx.example'")]
    [TestCase("mirror: {trustedproxies: [10.0.0.1/8]}", "mirror.trustedproxies: '10.0.0.1/8'")]
    [TestCase("mirror: {trustedproxies: ['10.1']}", "mirror.trustedproxies: '10.1'")]
    [TestCase("mirror: {trustedproxies: [127.0.0.1], accel: {header: X-Reproxy-URL}}", "mirror.accel.header: 'X-Reproxy-URL'")]
    [TestCase("mirror: {accel: {header: X-Accel-Redirect}}", "mirror.accel.header: needs mirror.trustedproxies")]
    [TestCase("mirror: {trustedproxies: [127.0.0.1], accel: {location: /_mirror_store/}}", "mirror.accel.header: is needed")]
    [TestCase("mirror: {trustedproxies: [127.0.0.1], accel: {header: X-Accel-Redirect, location: 'http://nginx/store/'}}", "mirror.accel.location")]
    [TestCase("mirror: {trustedproxies: [127.0.0.1], accel: {header: X-Sendfile, location: relative/store}}", "mirror.accel.location")]
    [TestCase("mirror: {limits: {taglistbytes: 0}}", "mirror.limits.taglistbytes: '0'")]
    [TestCase("mirror: {limits: {maxranges: 0}}", "mirror.limits.maxranges: '0'")]
    [TestCase("mirror: {limits: {maxranges: lots}}", "mirror.limits.maxranges: 'lots'")]
    [TestCase("mirror: {limits: {taglistpages: many}}", "mirror.limits.taglistpages: 'many'")]
    [TestCase("mirror: {limits: {tokenbytes: 2GiB}}", "mirror.limits.tokenbytes: '2GiB'")]
    [TestCase("mirror: {quota: {reserve: lots}}", "mirror.quota.reserve: 'lots'")]
    [TestCase("mirror: {quota: {reserve: 120%}}", "mirror.quota.reserve: '120%'")]
    [TestCase("mirror: {upstreams: {ghcr.io: {quota: {reserve: '-3'}}}}", "mirror.upstreams.ghcr.io.quota.reserve: '-3'")]
    [TestCase("mirror: {watch: [{image: 'nginx:1.27', interval: 500ms}]}", "mirror.watch.0.interval: '500ms' is shorter than 1s")]
    [TestCase("mirror: {watch: [{image: 'nginx:1.27'}]}", "mirror.watch.0.interval: is missing")]
    [TestCase("mirror: {watch: [{interval: 10m}]}", "mirror.watch.0.image: is missing")]
    [TestCase("mirror: {watch: [{image: 'ghcr.io/org/app:stable', interval: 10m}]}", "mirror.watch.0.image: 'ghcr.io/org/app:stable' names ghcr.io, which is not in mirror.upstreams")]
    [TestCase("mirror: {watch: [{image: 'nginx:1.27', interval: 10m, platforms: [amd64]}]}", "mirror.watch.0.platforms")]
    [TestCase("mirror: {watch: 'nginx:1.27'}", "mirror.watch: 'nginx:1.27' is a value")]
    [TestCase("mirror: {watchfills: 0}", "mirror.watchfills: '0'")]
    [TestCase("mirror: {pin: ['ghcr.io/org/*']}", "mirror.pin.0: 'ghcr.io/org/*' names ghcr.io")]
    [TestCase("mirror: {pin: ['library/ng*nx']}", "mirror.pin.0: 'library/ng*nx' has a * before its end")]
    public async Task Start_BadValue_ExitsWithOneLineNamingTheKey(string yaml, string key)
    {
        var file = _directory.Combine("config.yml");
        var section = yaml.Split(':')[0];
        var defaults = new Dictionary<string, string>
        {
            ["http"] = "http: {addr: '127.0.0.1:0'}",
            ["storage"] = $"storage: {{filesystem: {{rootdirectory: '{_directory.Combine("store")}'}}}}",
        };
        defaults[section] = yaml;
        await File.WriteAllLinesAsync(file, defaults.Values);

        var (exitCode, errors) = await RunToExitAsync([file]);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(errors, Has.Length.EqualTo(1), string.Join('\n', errors));
            Assert.That(errors.FirstOrDefault(), Does.StartWith("mirror: configuration: ").And.Contain(key));
        });
    }

    /// <summary>
    /// Security settings the mirror cannot honour stop it, each named once; <c>{dir}</c> is the test's directory,
    /// holding <c>htpasswd</c> (bcrypt), <c>md5.htpasswd</c>, <c>cert.pem</c> and <c>key.pem</c>.
    /// </summary>
    [TestCase("auth: {silly: {realm: r, service: s}}", "auth.silly")]
    [TestCase("auth: {htpasswd: {realm: r, path: '{dir}/htpasswd', cache: x}}", "auth.htpasswd.cache")]
    [TestCase("auth: {htpasswd: {realm: r}}", "auth.htpasswd.path")]
    [TestCase("auth: {htpasswd: []}", "auth.htpasswd.realm")]
    [TestCase("http: {addr: '127.0.0.1:0', secret: too-short}\nauth: {upstream: {}}", "http.secret")]
    [TestCase("auth: {htpasswd: {realm: r, path: '{dir}/missing'}}", "auth.htpasswd.path")]
    [TestCase("auth: {htpasswd: {realm: r, path: '{dir}/md5.htpasswd'}}", "line 2 (user bob)")]
    [TestCase("auth: {htpasswd: {realm: r, path: '{dir}/htpasswd'}, token: {realm: 'http://t/token', service: s, issuer: i, rootcertbundle: '{dir}/cert.pem'}}", "auth: give exactly one")]
    [TestCase("auth: {token: {realm: 'http://t/token', service: s, issuer: i}}", "auth.token.rootcertbundle or auth.token.jwks")]
    [TestCase("auth: {token: {realm: 'http://t/token', service: s, issuer: i, rootcertbundle: '{dir}/htpasswd'}}", "auth.token.rootcertbundle")]
    [TestCase("auth: {token: {realm: 'http://t/token', service: s, issuer: i, rootcertbundle: '{dir}/cert.pem', signingalgorithms: [none]}}", "auth.token.signingalgorithms")]
    [TestCase("auth: {token: {realm: 'http://t/token', service: s, issuer: i, rootcertbundle: '{dir}/cert.pem', autoredirect: true}}", "auth.token.autoredirect")]
    [TestCase("http: {addr: '127.0.0.1:0', tls: {letsencrypt: {email: a@example.com, cachefile: /tmp/le}}}", "http.tls.letsencrypt: ACME is not supported")]
    [TestCase("http: {addr: '127.0.0.1:0', tls: {certificate: '{dir}/cert.pem'}}", "http.tls.key")]
    [TestCase("http: {addr: '127.0.0.1:0', tls: {minimumtls: tls1.2}}", "http.tls: TLS settings without")]
    [TestCase("http: {addr: '127.0.0.1:0', tls: {certificate: '{dir}/cert.pem', key: '{dir}/key.pem', minimumtls: tls1.0}}", "http.tls.minimumtls")]
    [TestCase("http: {addr: '127.0.0.1:0', tls: {certificate: '{dir}/cert.pem', key: '{dir}/key.pem', ciphersuites: [TLS_NOT_A_SUITE]}}", "http.tls.ciphersuites")]
    [TestCase("http: {addr: '127.0.0.1:0', tls: {certificate: '{dir}/cert.pem', key: '{dir}/key.pem', clientauth: verify-client-cert-if-given}}", "http.tls.clientauth")]
    [TestCase("http: {addr: '127.0.0.1:0', tls: {certificate: '{dir}/cert.pem', key: '{dir}/key.pem', clientcas: ['{dir}/missing.pem']}}", "http.tls.clientcas")]
    [TestCase("http: {addr: '127.0.0.1:0', tls: {certificate: '{dir}/htpasswd', key: '{dir}/key.pem'}}", "http.tls.certificate")]
    [TestCase("http: {addr: '127.0.0.1:0', net: unix}", "http.net")]
    [TestCase("http: {addr: '127.0.0.1:5000', debug: {addr: '127.0.0.1:5000'}}", "http.debug.addr")]
    [TestCase("proxy: {remoteurl: 'https://registry-1.docker.io', exec: {command: helper}}", "proxy.exec: credential helpers")]
    [TestCase("mirror: {upstreams: {'*': {}}}", "mirror.upstreams.*: a catch-all upstream is not offered")]
    [TestCase("mirror: {watch: [{image: 'nginx:1.27', interval: 10m, platform: [linux/arm64]}]}", "mirror.watch.0.platform: not a key of a mirror.watch entry")]
    [TestCase("redis: {addr: '127.0.0.1:6379', tls: {enabled: true, certificate: '{dir}/cert.pem'}}", "redis.tls.certificate: client certificates")]
    [TestCase("redis: {addr: '127.0.0.1:6379', mastername: mymaster}", "redis.mastername: Redis Sentinel")]
    [TestCase("mirror: {upstreams: {ghcr.io: {http_proxy: 'http://proxy.example:3128'}}}", "mirror.upstreams.ghcr.io.http_proxy")]
    [TestCase("mirror: {upstreams: {'registry.example:5000': {ca_file: '{dir}/cert.pem'}}}", "mirror.upstreams.registry.example:5000.ca_file")]
    [TestCase("mirror: {policy: [{repositories: ['*'], sigstore: {keys: ['{dir}/htpasswd']}}]}", "mirror.policy.0.sigstore.keys.0: '")]
    [TestCase("mirror: {policy: [{repositories: ['*'], sigstore: {keys: ['{dir}/key.pem']}}]}", "mirror.policy.0.sigstore.keys.0: '{dir}/key.pem' is a private key")]
    [TestCase("mirror: {policy: [{repositories: ['*'], sigstore: {keys: ['{dir}/missing.pub']}}]}", "mirror.policy.0.sigstore.keys.0: '{dir}/missing.pub'")]
    [TestCase("mirror: {policy: [{repositories: ['*'], allow: true}, {repositories: ['*'], notation: {trustpolicy: x}}]}", "mirror.policy.1.notation: keyless signatures")]
    [TestCase("mirror: {policy: [{repositories: ['*'], sigstore: {keyless: {issuer: 'https://issuer.example'}}}]}", "mirror.policy.0.sigstore.keyless: keyless signatures")]
    [TestCase("mirror: {policy: [{repositories: ['*'], alow: true}]}", "mirror.policy.0.alow")]
    [TestCase("mirror: {policy: [{repositories: ['*']}]}", "mirror.policy.0: has neither sigstore.keys nor allow")]
    [TestCase("mirror: {policy: [{sigstore: {keys: ['{dir}/cert.pem']}}]}", "mirror.policy.0.repositories: is missing")]
    [TestCase("storage: {s3: {bucket: b, region: us-east-1}}\nmirror: {localdirectory: '{dir}/local'}\nredis: {addr: '127.0.0.1:6379'}", "http.secret: is not set; a cluster on storage.s3 signs")]
    [TestCase("redis: {addr: '127.0.0.1:6379'}\nmirror: {cluster: {url: 'ftp://node.example'}}", "mirror.cluster.url: 'ftp://node.example' is not an http:// or https:// URL")]
    [TestCase("storage: {s3: {region: us-east-1}}\nmirror: {localdirectory: '{dir}/local'}", "storage.s3.bucket: missing")]
    [TestCase("storage: {s3: {bucket: b}}\nmirror: {localdirectory: '{dir}/local'}", "storage.s3.region: missing")]
    [TestCase("storage: {filesystem: {rootdirectory: '{dir}/store'}, s3: {bucket: b, region: us-east-1}}\nmirror: {localdirectory: '{dir}/local'}", "storage: give exactly one of storage.filesystem and storage.s3")]
    [TestCase("storage: {s3: {bucket: b, region: us-east-1, accelerate: true}}\nmirror: {localdirectory: '{dir}/local'}", "storage.s3.accelerate")]
    [TestCase("storage: {s3: {bucket: b, region: us-east-1, v4auth: false}}\nmirror: {localdirectory: '{dir}/local'}", "storage.s3.v4auth: 'false' is not supported")]
    [TestCase("storage: {s3: {bucket: b, region: us-east-1, skipverify: true}}\nmirror: {localdirectory: '{dir}/local'}", "storage.s3.skipverify: 'true' is not supported")]
    [TestCase("storage: {s3: {bucket: b, region: us-east-1, accesskey: AKIA}}\nmirror: {localdirectory: '{dir}/local'}", "storage.s3.secretkey: missing")]
    [TestCase("storage: {s3: {bucket: b, region: us-east-1, chunksize: 1MiB}}\nmirror: {localdirectory: '{dir}/local'}", "storage.s3.chunksize")]
    [TestCase("storage: {s3: {bucket: b, region: us-east-1, regionendpoint: 'ftp://s3.example'}}\nmirror: {localdirectory: '{dir}/local'}", "storage.s3.regionendpoint")]
    [TestCase("storage: {s3: {bucket: b, region: us-east-1, keyid: k}}\nmirror: {localdirectory: '{dir}/local'}", "storage.s3.keyid")]
    [TestCase("storage: {s3: {bucket: b, region: us-east-1}, redirect: {disable: maybe}}\nmirror: {localdirectory: '{dir}/local'}", "storage.redirect.disable")]
    [TestCase("storage: {s3: {bucket: b, region: us-east-1}, redirect: {enabled: true}}\nmirror: {localdirectory: '{dir}/local'}", "storage.redirect.enabled")]
    public async Task Start_SecuritySettingItCannotHonour_ExitsWithOneLineNamingIt(string yaml, string named)
    {
        var directory = _directory.Path;
        await File.WriteAllTextAsync(Path.Combine(directory, "htpasswd"), "# users\nalice:$2y$05$G95hcRXvuD26jCXJfvhLdeNZGMY35kWrNNqBWsR9fGhfcqAwDeGxS\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "md5.htpasswd"), "alice:$2y$05$G95hcRXvuD26jCXJfvhLdeNZGMY35kWrNNqBWsR9fGhfcqAwDeGxS\nbob:$apr1$x8lLrMsr$E6zJyuB8/sX6h1vtBtTmD0\n");
        using (var key = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllTextAsync(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        }

        var sections = new Dictionary<string, string>
        {
            ["http"] = "http: {addr: '127.0.0.1:0'}",
            ["storage"] = $"storage: {{filesystem: {{rootdirectory: '{_directory.Combine("store")}'}}}}",
        };
        sections[yaml.Split(':')[0]] = yaml.Replace("{dir}", directory, StringComparison.Ordinal);
        var file = _directory.Combine("config.yml");
        await File.WriteAllLinesAsync(file, sections.Values);

        var (exitCode, errors) = await RunToExitAsync([file]);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(errors, Has.Length.EqualTo(1), string.Join('\n', errors));
            Assert.That(errors.FirstOrDefault(), Does.StartWith("mirror: configuration: ").And.Contain(named.Replace("{dir}", directory, StringComparison.Ordinal)));
        });
    }

    /// <summary>Bad values in two sections at once (two options types): one line for each key, and no stack trace.</summary>
    [TestCase("mirror: {limits: {taglistbytes: 0}}", "mirror.limits.taglistbytes", "http: {addr: '127.0.0.1:0', net: unix}", "http.net")]
    [TestCase("mirror: {trustedproxies: [nginx.example]}", "mirror.trustedproxies", "redis: {addrs: ['127.0.0.1:6379', '127.0.0.1:6380']}", "redis.addrs")]
    [TestCase("mirror: {upstreams: {ghcr.io: {tagttl: soon}}}", "mirror.upstreams.ghcr.io.tagttl", "log: {level: loud}", "log.level")]
    public async Task Start_TwoSectionsBad_ExitsWithOneLinePerKey(string first, string firstKey, string second, string secondKey)
    {
        var file = _directory.Combine("config.yml");
        var sections = new Dictionary<string, string>
        {
            ["http"] = "http: {addr: '127.0.0.1:0'}",
            ["storage"] = $"storage: {{filesystem: {{rootdirectory: '{_directory.Combine("store")}'}}}}",
        };
        sections[first.Split(':')[0]] = first;
        sections[second.Split(':')[0]] = second;
        await File.WriteAllLinesAsync(file, sections.Values);

        var (exitCode, errors) = await RunToExitAsync([file]);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1));
            Assert.That(errors, Has.Length.EqualTo(2), string.Join('\n', errors));
            Assert.That(errors, Is.All.StartWith("mirror: configuration: "));
            Assert.That(errors, Has.Exactly(1).Contains(firstKey + ":"));
            Assert.That(errors, Has.Exactly(1).Contains(secondKey + ":"));
        });
    }

    [Test]
    public async Task Start_UnwritableStore_ExitsNamingTheKey()
    {
        var blocker = _directory.Combine("a-file");
        await File.WriteAllTextAsync(blocker, "not a directory");
        var file = _directory.Combine("config.yml");
        await File.WriteAllTextAsync(file, $"http: {{addr: '127.0.0.1:0'}}\nstorage: {{filesystem: {{rootdirectory: '{blocker}/store'}}}}\n");

        var (exitCode, errors) = await RunToExitAsync([file]);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(errors, Has.Length.EqualTo(1).And.Some.Contain("storage.filesystem.rootdirectory"));
    }

    [Test]
    public async Task Start_EnvironmentOverride_UsesDistributionNames()
    {
        var file = _directory.Combine("config.yml");
        await File.WriteAllTextAsync(file, $"http: {{addr: '127.0.0.1:0'}}\nstorage: {{filesystem: {{rootdirectory: '{_directory.Combine("store")}'}}}}\nproxy: {{remoteurl: 'https://registry-1.docker.io'}}\n");

        var (exitCode, errors) = await RunToExitAsync([file], new Dictionary<string, string?> { ["REGISTRY_PROXY_REMOTEURL"] = "::not a url::" });

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(errors, Has.Length.EqualTo(1).And.Some.Contain("proxy.remoteurl").And.Some.Contain("::not a url::"));
    }

    [Test]
    public async Task Start_MissingFile_ExitsNamingIt()
    {
        var (exitCode, errors) = await RunToExitAsync([_directory.Combine("nope.yml")]);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(errors, Has.Length.EqualTo(1).And.Some.Contain("nope.yml"));
    }

    [Test]
    public async Task Start_InvalidYaml_ExitsNamingFileAndLine()
    {
        var file = _directory.Combine("config.yml");
        await File.WriteAllTextAsync(file, "proxy:\n  remoteurl: [unclosed\n");

        var (exitCode, errors) = await RunToExitAsync([file]);

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(errors, Has.Length.EqualTo(1).And.Some.Contain("config.yml").And.Some.Contain("line"));
    }

    [Test]
    public async Task Start_UnknownKeyAndEnvironmentAddress_WarnsAndListensThere()
    {
        var port = FreePort.Next();
        var file = _directory.Combine("config.yml");
        await File.WriteAllTextAsync(file, $"http: {{addr: '127.0.0.1:1'}}\nstorage: {{filesystem: {{rootdirectory: '{_directory.Combine("store")}'}}}}\nnotifications: {{events: {{includereferences: true}}}}\n");
        using var mirror = GatewayProcess.Start(["serve", file], new Dictionary<string, string?> { ["REGISTRY_HTTP_ADDR"] = $"127.0.0.1:{port}" });

        await mirror.WaitForOutputAsync("Now listening on", TimeSpan.FromSeconds(30));
        using var client = new HttpClient();
        using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/v2/"));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(mirror.Output, Does.Contain("Unknown configuration key notifications.events.includereferences"));
        });
    }

    private static async Task<(int ExitCode, string[] Errors)> RunToExitAsync(string[] arguments, IDictionary<string, string?>? environment = null)
    {
        using var process = GatewayProcess.Start(arguments, environment);
        Assert.That(await process.WaitForExitAsync(TimeSpan.FromSeconds(30)), Is.True, "the mirror should stop on a bad configuration:\n" + process.Output);
        var errors = process.Output.Split('\n').Where(l => l.StartsWith("mirror:", StringComparison.Ordinal) || l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("Exception", StringComparison.Ordinal)).ToArray();
        return (process.ExitCode, errors);
    }

    private IConfigurationRoot Load(string yaml)
    {
        var file = _directory.Combine("config.yml");
        File.WriteAllText(file, yaml);
        return new ConfigurationBuilder().Add(new YamlConfigurationSource { Path = file, Optional = false }.Also(s => s.ResolveFileProvider())).Build();
    }
}
