using System.Net.Http.Headers;
using Mirror.Cache.Protocol;
using Mirror.Cache.Signatures;
using Mirror.Tests.Support;

namespace Mirror.Tests.EndToEnd;

/// <summary>
/// <c>mirror.policy</c> with real programs: Debian's docker-registry holds images signed in cosign's format (by
/// the suite's signer: Debian has no cosign, and its skopeo and podman are built without sigstore), a real
/// dockerd pulls through the mirror. The signed multi-platform image pulls and runs; the same image unsigned
/// in another repository, one signed by another key and one whose signature names another digest are refused
/// with 403 DENIED; with the upstream down the same holds, and the signature tag is served throughout.
/// <c>verify --policy</c> then reports the store as the policy sees it.
/// </summary>
[TestFixture]
[Category("EndToEnd")]
[NonParallelizable]
internal sealed class SignaturePolicyEndToEndTests
{
    private TestDirectory _directory = null!;

    [SetUp]
    public void SetUp() => _directory = new TestDirectory();

    [TearDown]
    public void TearDown() => _directory.Dispose();

    [Test]
    public async Task Policy_SignedPulls_OthersRefusedWithDenied_OnlineAndOffline_AndVerifyReportsThem()
    {
        using var trusted = CosignSigner.Ecdsa();
        using var other = CosignSigner.Ecdsa();
        using var upstream = await UpstreamRegistry.StartAsync(_directory.Combine("upstream"), tokens: null);
        var signed = TestImage.Multi("library/signed", "1.0", oci: true, TestImage.Busybox(), TestImage.FileLayer("signed.txt", 4000, 41));
        var unsigned = TestImage.Multi("library/unsigned", "1.0", oci: true, TestImage.Busybox(), TestImage.FileLayer("signed.txt", 4000, 41));
        var otherKey = TestImage.Single("library/otherkey", "1.0", oci: true, TestImage.FileLayer("other.txt", 4000, 42));
        var mismatch = TestImage.Single("library/mismatch", "1.0", oci: true, TestImage.FileLayer("mismatch.txt", 4000, 43));
        foreach (var image in new[] { signed, unsigned, otherKey, mismatch })
        {
            await upstream.PushAsync(image, tokens: null);
        }

        var signature = await PushSignatureAsync(upstream, signed, trusted);
        await PushSignatureAsync(upstream, otherKey, other);
        await PushSignatureAsync(upstream, mismatch, trusted, claimed: signed.Manifest.Digest);
        var key = _directory.Combine("cosign.pub");
        await File.WriteAllTextAsync(key, trusted.PublicKeyPem);
        using var mirror = await MirrorProcess.StartAsync(_directory.Combine("mirror"), upstream.Url, extraYaml: $"""
            mirror:
              policy:
                - repositories: ["library/*"]
                  sigstore:
                    keys: [{key}]
            """);
        using var docker = await DockerDaemon.StartAsync(_directory.Combine("docker"), mirror.Url);

        var online = await PullAllAsync(docker, signed, unsigned, otherKey, mismatch);
        var run = await docker.DockerAsync("run", "--rm", "--network", "none", signed.DockerName, "/bin/busybox", "echo", "the signed image runs");
        var signatureOnline = await SignatureTagAsync(mirror, signed);
        upstream.Kill();
        Assert.That((await docker.DockerAsync("rmi", signed.DockerName)).Succeeded, Is.True);
        var offline = await PullAllAsync(docker, signed, unsigned, otherKey, mismatch);
        var signatureOffline = await SignatureTagAsync(mirror, signed);
        var (verifyExit, verified, _) = await GatewayProcess.RunAsync(["verify", "--policy", Path.Combine(_directory.Combine("mirror"), "config.yml")]);

        Assert.Multiple(() =>
        {
            foreach (var pulls in new[] { online, offline })
            {
                Assert.That(pulls[0].Succeeded, Is.True, $"{pulls[0]}\nmirror:\n{mirror.Output}");
                foreach (var refused in pulls.Skip(1))
                {
                    Assert.That(refused.Succeeded, Is.False, refused.ToString());
                }
            }

            Assert.That(run.Output, Does.Contain("the signed image runs"), run.ToString());
            Assert.That(docker.Output, Does.Contain("denied"), "the daemon was told DENIED by the mirror");
            Assert.That(mirror.Output, Does.Contain($"library/unsigned@{unsigned.Manifest.Digest} refused by mirror.policy.0: no signature"));
            Assert.That(mirror.Output, Does.Contain($"library/otherkey@{otherKey.Manifest.Digest} refused by mirror.policy.0").And.Contain("none by a trusted key"));
            Assert.That(mirror.Output, Does.Contain($"library/mismatch@{mismatch.Manifest.Digest} refused by mirror.policy.0: its signature by a trusted key names {signed.Manifest.Digest}"));
            Assert.That(signatureOnline, Is.EqualTo(signature.Manifest));
            Assert.That(signatureOffline, Is.EqualTo(signature.Manifest), "the signature tag is served while the upstream is down");
            Assert.That(verifyExit, Is.EqualTo(4), verified);
            Assert.That(verified, Does.Contain($"allowed library/signed@{signed.Manifest.Digest}"));
            Assert.That(verified, Does.Contain($"refused library/unsigned@{unsigned.Manifest.Digest}"));
        });
    }

    private static async Task<Command[]> PullAllAsync(DockerDaemon docker, params TestImage[] images)
    {
        var pulls = new List<Command>();
        foreach (var image in images)
        {
            pulls.Add(await docker.DockerAsync("pull", image.DockerName));
        }

        return [.. pulls];
    }

    /// <summary>The signature tag of <paramref name="image"/> through the mirror, as <c>cosign verify</c> reads it.</summary>
    private static async Task<byte[]> SignatureTagAsync(MirrorProcess mirror, TestImage image)
    {
        using var client = new HttpClient { BaseAddress = mirror.Url };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{image.Repository}/manifests/{SignatureTags.Of(image.Manifest.Digest, SignatureTags.Signature)}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.OciManifest));
        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Pushes a cosign signature of <paramref name="image"/>'s manifest (its index for a multi-platform one), as <c>cosign sign --key</c> does.</summary>
    private static async Task<SignatureImage> PushSignatureAsync(UpstreamRegistry upstream, TestImage image, CosignSigner signer, Digest? claimed = null)
    {
        var signature = signer.SignatureFor($"{upstream.Url.Authority}/{image.Repository}", image.Manifest.Digest, claimed);
        await upstream.PushBlobAsync(image.Repository, new ImageBlob(signature.Config, "application/vnd.oci.image.config.v1+json"));
        await upstream.PushBlobAsync(image.Repository, new ImageBlob(signature.Payload, CosignSigner.PayloadType));
        using var client = new HttpClient { BaseAddress = upstream.Url };
        await UpstreamRegistry.PutManifestAsync(client, image.Repository, SignatureTags.Of(image.Manifest.Digest, SignatureTags.Signature), new ImageBlob(signature.Manifest, MediaTypes.OciManifest));
        return signature;
    }
}
