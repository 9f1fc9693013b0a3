using System.Buffers;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Protocol;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Blobs;

/// <summary>
/// A fill's requests to its upstream: the first, asked again while the upstream fails within that
/// upstream's first-byte bound, and the resumes from a byte offset after a body breaks off, with backoff
/// between attempts. Each answer starts where it was asked to, or is a failure.
/// </summary>
internal sealed class BlobRequests(IBlobSource source, RepositoryKey repository, Digest digest, FillOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// Opens the blob from its start; an upstream that is unreachable or fails (5xx) is asked again, a
    /// bounded number of times with backoff, while a client could still be waiting for its first byte. A
    /// clear answer (404, 401) is final.
    /// </summary>
    public async Task<UpstreamBlob> OpenAsync(long offset, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + source.FirstByteTimeout;
        for (var attempt = 0; ; attempt++)
        {
            var response = await source.OpenBlobAsync(repository.Name, digest, offset, cancellationToken);
            if (response.Status == SourceStatus.Found && response.Offset != offset
                && (response.Offset > offset || await SkipAsync(response, offset - response.Offset, cancellationToken) is not null))
            {
                response.Dispose();
                response = UpstreamBlob.Failed(SourceStatus.Unavailable, UpstreamError.Because($"the upstream did not answer from byte {offset}"));
            }

            var backoff = Backoff(attempt);
            if (response.Status != SourceStatus.Unavailable || attempt == options.MaxResumes || time.GetUtcNow() + backoff > deadline)
            {
                return response;
            }

            response.Dispose();
            BlobLog.FillRetrying(logger, repository, digest, attempt + 1, response.Error?.Message);
            await Task.Delay(backoff, time, cancellationToken);
        }
    }

    /// <summary>
    /// Reopens the blob at <paramref name="offset"/> with backoff until an answer usable from there arrives
    /// or the attempts (counted from <paramref name="attempts"/>) run out; an upstream that ignores the range
    /// is read past the bytes the file already has.
    /// </summary>
    public async Task<(UpstreamBlob? Response, int Attempts)> ResumeAsync(long offset, string reason, int attempts, CancellationToken cancellationToken)
    {
        while (attempts < options.MaxResumes)
        {
            await Task.Delay(Backoff(attempts), time, cancellationToken);
            attempts++;
            BlobLog.FillResuming(logger, repository, digest, offset, attempts, reason);
            var response = await source.OpenBlobAsync(repository.Name, digest, offset, cancellationToken);
            var problem = response.Status != SourceStatus.Found || response.Offset > offset
                ? $"the upstream answered {response.Status} from byte {response.Offset}"
                : await SkipAsync(response, offset - response.Offset, cancellationToken);
            if (problem is null)
            {
                return (response, attempts);
            }

            reason = problem;
            response.Dispose();
        }

        return (null, attempts);
    }

    /// <summary>Reads past <paramref name="count"/> bytes the file already has; the fault when the body breaks off first.</summary>
    internal static async Task<string?> SkipAsync(UpstreamBlob response, long count, CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (count > 0)
            {
                var read = await response.Body!.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, count)), cancellationToken);
                if (read.Failed || read.Count == 0)
                {
                    return read.Fault ?? "the upstream body ended before the resume point";
                }

                count -= read.Count;
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private TimeSpan Backoff(int attempt) => options.ResumeBackoff * (1 << attempt);
}
