namespace Mirror.Tests.Support;

/// <summary>
/// What gateway tests that start their own mirrors share: each test gets a temp directory and a WireMock
/// upstream, both gone when the test ends.
/// </summary>
internal abstract class FakeUpstreamTests
{
    protected TestDirectory TempDir { get; private set; } = null!;

    protected FakeRegistry Upstream { get; private set; } = null!;

    [SetUp]
    public void StartUpstream()
    {
        TempDir = new TestDirectory();
        Upstream = new FakeRegistry();
    }

    [TearDown]
    public void StopUpstream()
    {
        Upstream.Dispose();
        TempDir.Dispose();
    }
}
