using Mirror.Cache.Protocol;

namespace Mirror.Tests.EndToEnd;

/// <summary>A piece of an image: a layer, a config or a manifest, with its digest and media type.</summary>
internal sealed record ImageBlob(byte[] Content, string MediaType)
{
    public Digest Digest { get; } = Digest.Compute(Content);
}
