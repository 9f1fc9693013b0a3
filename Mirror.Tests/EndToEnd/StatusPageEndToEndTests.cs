using System.Globalization;
using System.Text.RegularExpressions;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// The status page as an operator sees it: in a real headless Chromium, after podman pulled an image
/// through the mirror twice (cold, then warm from a fresh podman store).
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed partial class StatusPageEndToEndTests
{
    private readonly TestImage _image = TestImage.Single("library/statusapp", "1.0", oci: false, TestImage.Busybox(), TestImage.FileLayer("etc/status.txt", 200_000, 81));

    private TestDirectory _directory = null!;
    private UpstreamRegistry _upstream = null!;
    private MirrorProcess _mirror = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _directory = new TestDirectory();
        _upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), null);
        await _upstream.PushAsync(_image, null);
        _mirror = await MirrorProcess.StartAsync(_directory.Combine("mirror"), _upstream.Url);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _mirror?.Dispose();
        _upstream?.Dispose();
        _directory?.Dispose();
    }

    [Test]
    public async Task Page_AfterAColdAndAWarmPull_ShowsTheRepositoryTheHitRatioAndTheStore()
    {
        foreach (var round in new[] { "cold", "warm" })
        {
            var pull = await Podman.PullAsync(_directory.Combine($"podman-{round}"), _mirror.Url.Authority, "docker.io/library/statusapp:1.0", insecure: true);
            Assert.That(pull.Succeeded, Is.True, $"{round}: {pull}");
        }

        var dom = await Chromium.DumpDomAsync(_directory.Combine("chromium"), _mirror.Url);
        var screenshot = _directory.Combine("status.png");
        var shot = await Chromium.ScreenshotAsync(_directory.Combine("chromium"), _mirror.Url, screenshot);
        TestContext.AddTestAttachment(screenshot, "the status page after a cold and a warm pull");

        var hitRatio = HitRatio().Match(dom.Output);
        var storeSize = StoreSize().Match(dom.Output);
        Assert.Multiple(() =>
        {
            Assert.That(dom.Succeeded, Is.True, dom.ToString());
            Assert.That(dom.Output, Does.Contain("<td>library/statusapp</td>"));
            Assert.That(hitRatio.Success && double.Parse(hitRatio.Groups[1].Value, CultureInfo.InvariantCulture) > 0, Is.True, "a hit ratio above zero:\n" + dom.Output);
            Assert.That(storeSize.Success && storeSize.Groups[1].Value != "0 B", Is.True, "the store's size:\n" + dom.Output);
            Assert.That(shot.Succeeded, Is.True, shot.ToString());
            Assert.That(File.ReadAllBytes(screenshot).AsSpan(0, 8).ToArray(), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "a PNG");
        });
    }

    [GeneratedRegex("id=\"hit-ratio\">([0-9.]+)%<")]
    private static partial Regex HitRatio();

    [GeneratedRegex("id=\"store-size\">([^<]+)<")]
    private static partial Regex StoreSize();
}
