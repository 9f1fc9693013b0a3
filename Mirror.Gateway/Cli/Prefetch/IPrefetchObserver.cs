using Mirror.Cache.Protocol;

namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>Who is told how each image's prefetch goes: a progress bar per image on a terminal, plain lines otherwise.</summary>
internal interface IPrefetchObserver
{
    /// <summary>The image's manifests are read: what it will fetch.</summary>
    void Planned(ImageReference image, ImagePlan plan);

    /// <summary>More of the image's bytes are through (fetched, or found stored).</summary>
    void Advanced(ImageReference image, long bytes);

    /// <summary>A blob is done: <paramref name="cached"/> when the mirror had it already.</summary>
    void BlobDone(ImageReference image, Digest digest, long size, bool cached);

    void Finished(ImageResult result);
}
