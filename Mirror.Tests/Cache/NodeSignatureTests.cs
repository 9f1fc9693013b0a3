using Mirror.Cache.Blobs;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Protocol;

namespace Mirror.Tests.Cache;

/// <summary>The nodes' requests for each other's fills verify only with the shared secret, for their own subject, while fresh; without a secret nothing does.</summary>
[TestFixture]
internal sealed class NodeSignatureTests
{
    private const string Secret = "node-signature-test-secret-0123456789";
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Subject = FillPeerOptions.Subject(null, Digest.Compute([1, 2, 3]));

    [Test]
    public void Verify_SignedWithTheSecretForTheSubject_Verifies() =>
        Assert.That(NodeSignature.Verify(Secret, NodeSignature.Sign(Secret, Subject, Now), Subject, Now.AddSeconds(30)), Is.True);

    [Test]
    public void Verify_AnythingElse_IsRefused()
    {
        var signed = NodeSignature.Sign(Secret, Subject, Now);

        Assert.Multiple(() =>
        {
            Assert.That(NodeSignature.Verify(Secret, null, Subject, Now), Is.False, "no header");
            Assert.That(NodeSignature.Verify(null, signed, Subject, Now), Is.False, "a node without a secret verifies nothing");
            Assert.That(NodeSignature.Verify(Secret, NodeSignature.Sign("another-secret-0123456789abcdefghij", Subject, Now), Subject, Now), Is.False, "another secret");
            Assert.That(NodeSignature.Verify(Secret, signed, FillPeerOptions.Subject("ghcr.io", Digest.Compute([1, 2, 3])), Now), Is.False, "another registry");
            Assert.That(NodeSignature.Verify(Secret, signed, Subject, Now.AddSeconds(61)), Is.False, "stale");
            Assert.That(NodeSignature.Verify(Secret, signed, Subject, Now.AddSeconds(-61)), Is.False, "from the future");
            Assert.That(NodeSignature.Verify(Secret, signed[..^1] + (signed[^1] == '0' ? '1' : '0'), Subject, Now), Is.False, "a changed MAC");
            Assert.That(NodeSignature.Verify(Secret, "Bearer x", Subject, Now), Is.False, "another scheme");
        });
    }
}
