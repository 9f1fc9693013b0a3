using Mirror.Tests.EndToEnd;
using Mirror.Tests.Support;

namespace Mirror.Tests.Deploy;

/// <summary>
/// <c>deploy/mirror.service</c>, checked by systemd's own tools offline (these machines run no systemd):
/// <c>systemd-analyze verify</c> loads it as systemd would, and <c>systemd-analyze security</c> scores its
/// sandboxing. The unit's <c>ExecStart</c> names <c>/opt/mirror</c>, where the publish command of docs/deploying.md puts
/// the mirror; verify checks that the program is there, so the test points it at the build's own apphost.
/// </summary>
[TestFixture]
internal sealed class ServiceUnitTests
{
    private const string ShippedProgram = "/opt/mirror/Mirror.Gateway";

    private TestDirectory _directory = null!;

    private static string ShippedUnit => Path.Combine(GatewayProcess.RepositoryRoot, "deploy", "mirror.service");

    [SetUp]
    public void SetUp() => _directory = new TestDirectory();

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [Test]
    public async Task Verify_TheShippedUnit_LoadsWithoutAWord()
    {
        var unit = await UnitAsync("mirror.service", text => text);

        var verify = await Command.RunAsync("systemd-analyze", ["verify", unit]);

        Assert.That(verify, Is.EqualTo(new Command(0, string.Empty)), "systemd-analyze verify reports problems on stderr, some with exit code 0");
    }

    /// <summary>The check really checks: each of these breaks the unit, and verify says so.</summary>
    [TestCase("ProtectSystem=strict", "ProtectSystem=stricter")]
    [TestCase("NoNewPrivileges=yes", "NoNewPrivilege=yes")]
    [TestCase("ExecStart={program}", "ExecStart=/nonexistent/Mirror.Gateway")]
    [TestCase("[Service]", "[Servce]")]
    public async Task Verify_ABrokenUnit_IsReported(string line, string broken)
    {
        var unit = await UnitAsync("mirror.service", text => text.Replace(line.Replace("{program}", Program, StringComparison.Ordinal), broken, StringComparison.Ordinal));

        var verify = await Command.RunAsync("systemd-analyze", ["verify", unit]);

        Assert.That(verify.Succeeded && verify.Output.Length == 0, Is.False, verify.ToString());
    }

    [Test]
    public async Task Security_TheShippedUnit_IsSandboxed_WritingTheStoreOnly()
    {
        var unit = await UnitAsync("mirror.service", text => text);
        var lines = (await File.ReadAllLinesAsync(ShippedUnit)).Select(l => l.Trim()).ToList();

        // --threshold: exit code 1 past an exposure of 2.0 (systemd's scale, 0 safe to 10 exposed; "OK" up to 2).
        var security = await Command.RunAsync("systemd-analyze", ["security", "--offline=true", "--threshold=20", unit]);

        Assert.Multiple(() =>
        {
            Assert.That(security.Succeeded, Is.True, security.ToString());
            foreach (var setting in new[] { "NoNewPrivileges=", "ProtectSystem=", "ProtectHome=", "PrivateTmp=", "PrivateDevices=", "RestrictSUIDSGID=" })
            {
                Assert.That(security.Output, Does.Contain("✓ " + setting), setting);
            }

            Assert.That(lines, Does.Contain("ProtectSystem=strict"), "the whole file system read-only");
            Assert.That(lines.Where(l => l.StartsWith("ReadWritePaths=", StringComparison.Ordinal)), Is.EqualTo(new[] { "ReadWritePaths=/var/lib/mirror" }));
            Assert.That(lines, Does.Contain("StateDirectory=mirror"));
        });
    }

    private static string Program
    {
        get
        {
            var apphost = Path.ChangeExtension(GatewayProcess.Dll, null);
            return File.Exists(apphost) ? apphost : throw new FileNotFoundException("the build's apphost", apphost);
        }
    }

    /// <summary>The shipped unit under <paramref name="name"/> in the test's directory, its program the build's, then <paramref name="edit"/>ed.</summary>
    private async Task<string> UnitAsync(string name, Func<string, string> edit)
    {
        var text = await File.ReadAllTextAsync(ShippedUnit);
        Assert.That(text, Does.Contain($"ExecStart={ShippedProgram} "));
        var path = _directory.Combine(name);
        await File.WriteAllTextAsync(path, edit(text.Replace(ShippedProgram, Program, StringComparison.Ordinal)));
        return path;
    }
}
