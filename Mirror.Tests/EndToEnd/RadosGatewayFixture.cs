using Amazon.S3;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// A radosgw of the fixture's own (a one-OSD memstore cluster, started once for its tests) with an S3 client
/// for it, and a fresh bucket for each test named with <paramref name="bucketPrefix"/>.
/// </summary>
internal abstract class RadosGatewayFixture(string bucketPrefix)
{
    protected TestDirectory Workspace { get; private set; } = null!;

    protected RadosGateway Gateway { get; private set; } = null!;

    protected AmazonS3Client Client { get; private set; } = null!;

    protected string BucketName { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartGatewayAsync()
    {
        Workspace = new TestDirectory();
        Gateway = await RadosGateway.StartAsync(Workspace.Combine("ceph"));
        Client = Gateway.CreateClient();
    }

    [OneTimeTearDown]
    public void StopGateway()
    {
        Client?.Dispose();
        Gateway?.Dispose();
        Workspace?.Dispose();
    }

    [SetUp]
    public Task CreateBucketAsync()
    {
        BucketName = $"{bucketPrefix}-{Guid.NewGuid():N}";
        return Gateway.CreateBucketAsync(BucketName, CancellationToken.None);
    }
}
