namespace Mirror.Tests.Support;

/// <summary>
/// The setup the gateway's endpoint tests share: each test gets a temp directory, a WireMock upstream, and
/// a mirror in-process in front of it with its store in <c>store/</c> under the directory.
/// </summary>
internal abstract class InProcessMirrorTests : FakeUpstreamTests
{
    protected MirrorFactory MirrorHost { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    [SetUp]
    public void StartMirror()
    {
        MirrorHost = new MirrorFactory(Upstream.Url, TempDir.Combine("store"));
        Client = MirrorHost.CreateClient();
    }

    [TearDown]
    public void StopMirror()
    {
        Client.Dispose();
        MirrorHost.Dispose();
    }
}
