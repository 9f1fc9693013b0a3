using System.Text;
using Mirror.Gateway.Registry;
using Mirror.Gateway.Cli.Prefetch;
using Mirror.Gateway.Hosting;
using Mirror.Tests.Support;

namespace Mirror.Tests.Gateway;

/// <summary>
/// The command line: serving stays the default with its configuration switches, the operator's commands
/// parse their arguments, and the built executable answers help, usage errors and configuration errors
/// with the documented exit codes.
/// </summary>
[TestFixture]
internal sealed class CommandLineTests
{
    private TestDirectory _directory = null!;

    [SetUp]
    public void SetUp() => _directory = new TestDirectory();

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [TestCase(new string[0], null, new string[0])]
    [TestCase(new[] { "config.yml" }, "config.yml", new string[0])]
    [TestCase(new[] { "serve", "config.yml" }, "config.yml", new string[0])]
    [TestCase(new[] { "serve", "config.yml", "--urls=http://127.0.0.1:1", "--Logging:LogLevel:Default=Debug" }, "config.yml", new[] { "--urls=http://127.0.0.1:1", "--Logging:LogLevel:Default=Debug" })]
    [TestCase(new[] { "--environment=Development", "--contentRoot=/tmp/x", "--applicationName=Mirror.Gateway" }, null, new[] { "--environment=Development", "--contentRoot=/tmp/x", "--applicationName=Mirror.Gateway" })]
    [TestCase(new[] { "--environment=Development", "serve" }, null, new[] { "--environment=Development" })]
    public void Parse_ServingAsBefore_TakesTheFileAndTheSwitches(string[] args, string? file, string[] switches)
    {
        var serve = CommandLine.Parse(args).Serve;

        Assert.That(serve, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(serve!.ConfigurationFile, Is.EqualTo(file));
            Assert.That(serve.Switches, Is.EqualTo(switches));
        });
    }

    [TestCase("ls")]
    [TestCase("verify", "config.yml")]
    [TestCase("gc", "--dry-run")]
    [TestCase("prefetch", "busybox")]
    [TestCase("--help")]
    [TestCase("a.yml", "b.yml")]
    [TestCase("--verbose")]
    public void Parse_OtherCommandsHelpAndErrors_DoNotServe(params string[] args) =>
        Assert.That(CommandLine.Parse(args).Serve, Is.Null);

    [TestCase("busybox", null, "library/busybox", "latest", "/v2/library/busybox", "")]
    [TestCase("library/busybox:1.36", null, "library/busybox", "1.36", "/v2/library/busybox", "")]
    [TestCase("docker.io/busybox:1.36", null, "library/busybox", "1.36", "/v2/library/busybox", "")]
    [TestCase("index.docker.io/owner/app", null, "owner/app", "latest", "/v2/owner/app", "")]
    [TestCase("ghcr.io/owner/app:v1.2", "ghcr.io", "owner/app", "v1.2", "/v2/ghcr.io/owner/app", "")]
    [TestCase("registry.example:5000/team/app:1", "registry.example:5000", "team/app", "1", "/v2/team/app", "?ns=registry.example%3A5000")]
    [TestCase("localhost/app", "localhost", "app", "latest", "/v2/localhost/app", "")]
    public void ImageReference_AsDockerReadsIt_AndWhereTheMirrorServesIt(string text, string? registry, string repository, string reference, string path, string query)
    {
        var image = ImageReference.TryParse(text, out var problem);

        Assert.That(image, Is.Not.Null, problem);
        Assert.Multiple(() =>
        {
            Assert.That(image!.Registry, Is.EqualTo(registry));
            Assert.That(image.Repository.Value, Is.EqualTo(repository));
            Assert.That(image.Reference, Is.EqualTo(reference));
            Assert.That(image.RepositoryPath, Is.EqualTo(path));
            Assert.That(image.Query, Is.EqualTo(query));
        });
    }

    [Test]
    public void ImageReference_ByDigest_AsksByDigestEvenWithATag()
    {
        const string digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        var image = ImageReference.TryParse($"ghcr.io/owner/app:1.0@{digest}", out _);

        Assert.That(image?.Reference, Is.EqualTo(digest));
    }

    [TestCase("Busybox")]
    [TestCase("busybox:")]
    [TestCase("busybox@sha256:abc")]
    [TestCase("busybox:a/b")]
    [TestCase("")]
    public void ImageReference_NotOne_SaysWhy(string text)
    {
        Assert.Multiple(() =>
        {
            Assert.That(ImageReference.TryParse(text, out var problem), Is.Null);
            Assert.That(problem, Is.Not.Empty);
        });
    }

    [TestCase("linux/arm64", "linux", "arm64", "v8", true)]
    [TestCase("linux/arm64/v8", "linux", "arm64", "v8", true)]
    [TestCase("linux/arm64/v7", "linux", "arm64", "v8", false)]
    [TestCase("linux/amd64", "linux", "arm64", null, false)]
    [TestCase("linux/amd64", "unknown", "unknown", null, false)]
    public void PlatformFilter_TakesThePlatformAndItsVariants(string filter, string os, string architecture, string? variant, bool wanted)
    {
        using var descriptor = System.Text.Json.JsonDocument.Parse(System.Text.Json.JsonSerializer.Serialize(new { digest = "x", platform = new { os, architecture, variant } }));

        Assert.That(new PlatformFilter([filter]).Wants(descriptor.RootElement), Is.EqualTo(wanted));
    }

    [Test]
    public void MirrorLogin_DockersStoredLogin_IsFoundByTheMirrorsHostAndPort()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cret:with-colon"));
        File.WriteAllText(_directory.Combine("config.json"), $$"""
            {"auths": {"https://index.docker.io/v1/": {"auth": "{{Convert.ToBase64String(Encoding.UTF8.GetBytes("hub:hub"))}}"},
                       "mirror.example:5000": {"auth": "{{auth}}"},
                       "http://other.example:5000": {"username": "bob", "password": "pw"} } }
            """);

        Assert.Multiple(() =>
        {
            Assert.That(MirrorLogin.FromDockerConfig(new Uri("http://mirror.example:5000"), _directory.Path), Is.EqualTo(new MirrorLogin("alice", "s3cret:with-colon")));
            Assert.That(MirrorLogin.FromDockerConfig(new Uri("https://other.example:5000/"), _directory.Path), Is.EqualTo(new MirrorLogin("bob", "pw")));
            Assert.That(MirrorLogin.FromDockerConfig(new Uri("http://mirror.example:5001"), _directory.Path), Is.Null, "another port is another registry");
        });
    }

    [Test]
    public async Task Help_ListsTheCommands_AndExitsZero()
    {
        var (exitCode, output, _) = await GatewayProcess.RunAsync(["--help"]);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain("serve").And.Contain("prefetch").And.Contain("ls").And.Contain("verify").And.Contain("gc"));
        });
    }

    [TestCase("frobnicate", "now")]
    [TestCase("prefetch")]
    [TestCase("prefetch", "--platform", "linux", "busybox")]
    [TestCase("prefetch", "--mirror", "ftp://x", "busybox")]
    [TestCase("gc", "--dry-runn")]
    public async Task UsageError_SaysWhatIsWrong_AndExitsTwo(params string[] args)
    {
        var (exitCode, output, _) = await GatewayProcess.RunAsync(args);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2), output);
            Assert.That(output, Does.Contain("mirror: ").And.Contain("--help"));
        });
    }

    [Test]
    public async Task Ls_BadConfigurationValue_OneLineNamingTheKey_ExitsOne()
    {
        var file = _directory.Combine("config.yml");
        await File.WriteAllTextAsync(file, $"storage: {{filesystem: {{rootdirectory: '{_directory.Combine("store")}'}}}}\nproxy: {{ttl: 5 days}}\n");
        Directory.CreateDirectory(_directory.Combine("store", "blobs"));

        var (exitCode, output, _) = await GatewayProcess.RunAsync(["gc", file]);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1), output);
            Assert.That(output.Trim(), Does.StartWith("mirror: configuration: proxy.ttl: '5 days'").And.Not.Contain("\n"));
        });
    }

    [TestCase("redis: {addr: '127.0.0.1:6379'}", "redis.addr")]
    [TestCase("redis: {addrs: ['127.0.0.1:6379']}", "redis.addrs")]
    public async Task Gc_OnAClustersStore_RefusesNamingRedis_AndRemovesNothing(string redis, string key)
    {
        var store = _directory.Combine("store");
        var bytes = "a layer pulled on another node"u8.ToArray();
        var hex = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        var blob = Path.Combine(store, "blobs", "sha256", hex[..2], hex);
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        await File.WriteAllBytesAsync(blob, bytes);
        File.SetLastWriteTimeUtc(blob, DateTime.UtcNow.AddDays(-30));
        var file = _directory.Combine("config.yml");
        await File.WriteAllTextAsync(file, $"storage: {{filesystem: {{rootdirectory: '{store}'}}}}\n{redis}\n");

        var (gcExit, gcOutput, _) = await GatewayProcess.RunAsync(["gc", file]);
        var (lsExit, lsOutput, _) = await GatewayProcess.RunAsync(["ls", file]);

        Assert.Multiple(() =>
        {
            Assert.That(gcExit, Is.EqualTo(1), gcOutput);
            Assert.That(gcOutput.Trim(), Does.StartWith($"mirror: gc: {key} is set").And.Not.Contain("\n"));
            Assert.That(File.Exists(blob), Is.True, "gc removed a blob of a cluster's store");
            Assert.That(lsExit, Is.Zero, lsOutput);
            Assert.That(lsOutput, Does.Contain($"mirror: ls: {key} is set").And.Contain("1 blobs"));
        });
    }

    [Test]
    public async Task Ls_BucketThatRefusesConnections_OneLineNamingTheCommand_ExitsOne()
    {
        // A port on 127.0.0.1 that was free a moment ago: nothing answers there.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var local = _directory.Combine("local");
        Directory.CreateDirectory(local);
        var file = _directory.Combine("config.yml");
        await File.WriteAllTextAsync(file, $$$"""
            storage: {s3: {region: us-east-1, regionendpoint: 'http://127.0.0.1:{{{port}}}', forcepathstyle: true, secure: false, bucket: absent, accesskey: a, secretkey: b}}
            mirror: {localdirectory: '{{{local}}}'}
            """);

        var (exitCode, output, _) = await GatewayProcess.RunAsync(["ls", file]);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1), output);
            Assert.That(output.Trim(), Does.StartWith("mirror: ls: ").And.Contain($"127.0.0.1:{port}").And.Not.Contain("\n"), "one line, no stack trace");
        });
    }

    [Test]
    public async Task Ls_StoreThatIsNotThere_IsNotMadeButReported()
    {
        var store = _directory.Combine("typo");
        var file = _directory.Combine("config.yml");
        await File.WriteAllTextAsync(file, $"storage: {{filesystem: {{rootdirectory: '{store}'}}}}\n");

        var (exitCode, output, _) = await GatewayProcess.RunAsync(["ls", file]);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(1), output);
            Assert.That(output, Does.Contain("storage.filesystem.rootdirectory").And.Contain(store));
            Assert.That(Directory.Exists(store), Is.False);
        });
    }

    [Test]
    public async Task Ls_StoreNamedByTheEnvironment_AsServingReadsIt()
    {
        var store = _directory.Combine("store");
        Directory.CreateDirectory(Path.Combine(store, "blobs"));

        var (exitCode, output, _) = await GatewayProcess.RunAsync(["ls"], new Dictionary<string, string?> { ["REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY"] = store });

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain(store).And.Contain("0 blobs"));
        });
    }
}
