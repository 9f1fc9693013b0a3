using System.Text;
using Mirror.Cache.Protocol;
using Mirror.Cache.Watch;

namespace Mirror.Tests.Cache;

/// <summary>Which platform manifests of a list a watched tag fetches: each one is a pull on Docker Hub.</summary>
[TestFixture]
internal sealed class PlatformSelectionTests
{
    private static readonly Digest Amd64 = Digest.Compute("amd64"u8);
    private static readonly Digest Arm64 = Digest.Compute("arm64"u8);
    private static readonly Digest ArmV7 = Digest.Compute("armv7"u8);
    private static readonly Digest Attestation = Digest.Compute("attestation"u8);

    private static readonly IReadOnlyList<(Digest Digest, string Platform)> Entries = PlatformSelection.Entries(Encoding.UTF8.GetBytes($$$"""
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
          {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{Amd64}}}","size":1,"platform":{"architecture":"amd64","os":"linux"}},
          {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{Arm64}}}","size":1,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
          {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{ArmV7}}}","size":1,"platform":{"architecture":"arm","os":"linux","variant":"v7"}},
          {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{Attestation}}}","size":1,"platform":{"architecture":"unknown","os":"unknown"}}
        ]}
        """));

    [Test]
    public void Entries_OfAnIndex_NameEachPlatform() =>
        Assert.That(Entries.Select(e => e.Platform), Is.EqualTo(new[] { "linux/amd64", "linux/arm64/v8", "linux/arm/v7", "unknown/unknown" }));

    [Test]
    public void Choose_PlatformsListed_TakesThoseAndTheirVariants_OverWhatWasPulledBefore() =>
        Assert.That(
            PlatformSelection.Choose(Entries, ["linux/arm64", "linux/arm/v7"], ["linux/amd64"], "linux/amd64").Select(e => e.Digest),
            Is.EqualTo(new[] { Arm64, ArmV7 }));

    [Test]
    public void Choose_NoneListed_TakesThoseClientsPulledBefore() =>
        Assert.That(PlatformSelection.Choose(Entries, null, ["linux/arm64/v8"], "linux/amd64").Select(e => e.Digest), Is.EqualTo(new[] { Arm64 }));

    [Test]
    public void Choose_NoneListedNorPulledBefore_TakesTheMirrorsOwn() =>
        Assert.That(PlatformSelection.Choose(Entries, null, [], "linux/amd64").Select(e => e.Digest), Is.EqualTo(new[] { Amd64 }));

    [Test]
    public void Choose_AttestationEntries_AreNeverTaken_EvenWhenListed() =>
        Assert.That(PlatformSelection.Choose(Entries, ["unknown/unknown", "linux/amd64"], [], "linux/amd64").Select(e => e.Digest), Is.EqualTo(new[] { Amd64 }));

    [Test]
    public void Own_IsALinuxPlatform() => Assert.That(PlatformSelection.Own, Does.StartWith("linux/"));
}
