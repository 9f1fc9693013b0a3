using System.Diagnostics;
using Mirror.Cache.Protocol;
using Mirror.Gateway.Configuration;
using Spectre.Console;

namespace Mirror.Gateway.Cli.Prefetch;

/// <summary>
/// Progress as plain lines, for output that is not a terminal (a log, a pipe): what each image will fetch,
/// each blob as it is done, how far a long one has come every few seconds, and how the image ended.
/// </summary>
internal sealed class PlainProgress(IAnsiConsole console) : IPrefetchObserver
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<ImageReference, (long Done, long Total, long ReportedAt)> _images = [];

    public void Planned(ImageReference image, ImagePlan plan)
    {
        lock (_gate)
        {
            _images[image] = (0, plan.Bytes, Stopwatch.GetTimestamp());
            var platforms = plan.Platforms.Count > 0 ? $" for {string.Join(", ", plan.Platforms)}" : string.Empty;
            Line(image, $"{plan.Blobs.Count} blobs{platforms}, {ByteSize.Format(plan.Bytes)}");
        }
    }

    public void Advanced(ImageReference image, long bytes)
    {
        lock (_gate)
        {
            var (done, total, reportedAt) = _images[image];
            done += bytes;
            if (Stopwatch.GetElapsedTime(reportedAt) >= Interval && done < total)
            {
                Line(image, $"{ByteSize.Format(done)} of {ByteSize.Format(total)} ({100 * done / Math.Max(total, 1)}%)");
                reportedAt = Stopwatch.GetTimestamp();
            }

            _images[image] = (done, total, reportedAt);
        }
    }

    public void BlobDone(ImageReference image, Digest digest, long size, bool cached)
    {
        lock (_gate)
        {
            Line(image, $"{(cached ? "cached " : "fetched")} {digest} ({ByteSize.Format(size)})");
        }
    }

    public void Finished(ImageResult result)
    {
        lock (_gate)
        {
            Line(result.Image, result.Succeeded
                ? $"done: {ByteSize.Format(result.FetchedBytes)} fetched, {ByteSize.Format(result.CachedBytes)} already cached, in {result.Elapsed.TotalSeconds:0.0} s"
                : $"failed: {result.Failure}");
        }
    }

    private void Line(ImageReference image, string text) => console.WriteLine($"{image}: {text}");
}
