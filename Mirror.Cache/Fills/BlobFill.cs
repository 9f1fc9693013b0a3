using System.Buffers;
using Microsoft.Extensions.Logging;
using Mirror.Cache.Content;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Registry;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Fills;

/// <summary>
/// One upstream fetch of one blob into the store, shared by every client that asks for it meanwhile. The
/// bytes go to a temp file that readers follow as it grows; the fill belongs to the mirror, so it runs on
/// when the client that started it leaves. It resumes with a <c>Range</c> request when the upstream breaks
/// off, and ends <see cref="FillState.Verified"/> only when the whole body hashed to its digest.
/// </summary>
internal sealed class BlobFill
{
    private readonly IBlobSource _source;
    private readonly ContentStore _store;
    private readonly FillOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MirrorMetrics _metrics;
    private readonly RepositoryLinks _links;
    private readonly TaskCompletionSource<FillStart> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private BlobWriter? _writer;
    private long _written;
    private int _state;
    private int _references = 1;

    public BlobFill(RepositoryName repository, Digest digest, IBlobSource source, ContentStore store, RepositoryLinks links, FillOptions options, TimeProvider time, MirrorMetrics metrics, ILogger logger)
    {
        _metrics = metrics;
        _links = links;
        Repository = repository;
        Digest = digest;
        _source = source;
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public RepositoryName Repository { get; }

    public Digest Digest { get; }

    /// <summary>Completes when the upstream has answered: found (with the length), or why not.</summary>
    public Task<FillStart> Started => _started.Task;

    public FillState State => (FillState)Volatile.Read(ref _state);

    public FillFailure Failure { get; private set; }

    /// <summary>The blob's length, once <see cref="Started"/> said it.</summary>
    public long? Length { get; private set; }

    /// <summary>How many bytes are in the temp file, readable but not yet verified unless the state says so.</summary>
    public long Written => Volatile.Read(ref _written);

    /// <summary>Completes at the next write or state change; take it before reading the state, then await it.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>The file readers read from: valid while they hold a reference.</summary>
    internal BlobWriter? Writer => Volatile.Read(ref _writer);

    internal IBlobSource Source => _source;

    internal MirrorMetrics Metrics => _metrics;

    /// <summary>Adds a reader's reference; only called while the fill is registered, so the file is still open.</summary>
    internal void AddReference() => Interlocked.Increment(ref _references);

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _writer?.Dispose();
        }
    }

    /// <summary>Fetches, writes, verifies and commits. Never throws; the outcome is in <see cref="State"/>.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        BlobSourceResponse? response = null;
        var buffer = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
        try
        {
            response = await OpenAsync(cancellationToken);
            if (response.Status != SourceStatus.Found)
            {
                _started.TrySetResult(new FillStart(response.Status, null, response.Detail));
                Finish(FillState.Failed, FillFailure.Upstream);
                return;
            }

            // The upstream has just said the repository holds this digest.
            _links.Link(Repository, Digest);
            Length = response.TotalLength;
            var writer = _store.TryCreateBlobWriter(Digest);
            _started.TrySetResult(new FillStart(SourceStatus.Found, Length, null));
            if (writer is null)
            {
                Finish(FillState.StoreFaulted, FillFailure.None);
                return;
            }

            Volatile.Write(ref _writer, writer);
            var copying = response;
            response = null;
            if (!await CopyAsync(copying, writer, buffer, cancellationToken))
            {
                return;
            }

            switch (writer.Verify(Length))
            {
                case CommitResult.Committed:
                    // Readers may finish now, from the temp file; flushing it to disk and renaming it into
                    // place (which waits for the disk) happens after, off their path.
                    Finish(FillState.Verified, FillFailure.None);
                    _store.CommitBlob(writer);
                    break;
                case CommitResult.DigestMismatch:
                    CacheLog.DigestMismatch(_logger, Repository, Digest, writer.Length);
                    _metrics.DigestMismatch(MirrorMetrics.Blob);
                    Finish(FillState.Failed, FillFailure.DigestMismatch);
                    break;
                default:
                    CacheLog.FillTruncated(_logger, Repository, Digest, writer.Length, Length);
                    Finish(FillState.Failed, FillFailure.Truncated);
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _started.TrySetResult(new FillStart(SourceStatus.Unavailable, null, "the mirror is stopping"));
            Finish(FillState.Failed, FillFailure.Cancelled);
        }
        catch (Exception ex)
        {
            // A bug, not an upstream or store fault (those are handled above); readers must not wait forever.
            CacheLog.FillCrashed(_logger, Repository, Digest, ex);
            _started.TrySetResult(new FillStart(SourceStatus.Unavailable, null, "internal error"));
            Finish(FillState.Failed, FillFailure.Upstream);
        }
        finally
        {
            response?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Opens the blob from its start; an upstream that is unreachable or fails (5xx) is asked again, a
    /// bounded number of times with backoff, as a resume would be. A clear answer (404, 401) is final.
    /// </summary>
    private async Task<BlobSourceResponse> OpenAsync(CancellationToken cancellationToken)
    {
        // Asking again is worth it only within the first-byte bound: a client waits for this answer.
        var deadline = _time.GetUtcNow() + _options.FirstByteTimeout;
        for (var attempt = 0; ; attempt++)
        {
            var response = await _source.OpenAsync(Repository, Digest, 0, cancellationToken);
            var backoff = _options.ResumeBackoff * (1 << attempt);
            if (response.Status != SourceStatus.Unavailable || attempt == _options.MaxResumes || _time.GetUtcNow() + backoff > deadline)
            {
                return response;
            }

            response.Dispose();
            CacheLog.FillRetrying(_logger, Repository, Digest, attempt + 1, response.Detail);
            await Task.Delay(backoff, _time, cancellationToken);
        }
    }

    /// <summary>
    /// Receives and hashes the body, hands each chunk to a <see cref="ChunkWriter"/> for the file, and
    /// resumes after upstream faults; disposes every response it used. Returns true when the whole body is
    /// in the file, ready to verify; false when the fill already finished (given up on the upstream, or the
    /// store faulted).
    /// </summary>
    private async Task<bool> CopyAsync(BlobSourceResponse first, BlobWriter writer, byte[] buffer, CancellationToken cancellationToken)
    {
        var chunks = new ChunkWriter(
            writer,
            written =>
            {
                Volatile.Write(ref _written, written);
                Pulse();
            },
            fault =>
            {
                CacheLog.StoreWriteFailed(_logger, Digest, fault);
                Finish(FillState.StoreFaulted, FillFailure.None);
            });
        var response = first;
        var resumes = 0;
        long received = 0;
        try
        {
            while (!chunks.Faulted)
            {
                var chunk = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
                int read;
                try
                {
                    read = await ReadWithinIdleTimeoutAsync(response.Body!, chunk, cancellationToken);
                    _metrics.Pulled(MirrorMetrics.Blob, read);
                    if (read == 0 && Length is { } length && received < length)
                    {
                        throw new IOException($"the upstream body ended at byte {received} of {length}");
                    }
                }
                catch (Exception ex) when (IsUpstreamFault(ex, cancellationToken))
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                    response.Dispose();
                    var resumed = await ResumeAsync(received, buffer, ex.Message, resumes, cancellationToken);
                    if (resumed.Response is null)
                    {
                        CacheLog.FillGaveUp(_logger, Repository, Digest, received, resumed.Attempts, ex);
                        Finish(FillState.Failed, FillFailure.Truncated);
                        return false;
                    }

                    (response, resumes) = (resumed.Response, resumed.Attempts);
                    continue;
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                    throw;
                }

                if (read == 0)
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                    return await chunks.CompleteAsync();
                }

                if (Length is { } expected && received + read > expected)
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                    CacheLog.FillTruncated(_logger, Repository, Digest, received + read, Length);
                    Finish(FillState.Failed, FillFailure.Truncated);
                    return false;
                }

                // Hashing this chunk while the chunk writer writes the previous ones: the two overlap.
                writer.Hash(chunk.AsSpan(0, read));
                received += read;
                await chunks.AddAsync(chunk, read, cancellationToken);
            }

            return false;
        }
        finally
        {
            response.Dispose();
            await chunks.CompleteAsync();
        }
    }

    /// <summary>
    /// One read of the upstream body; a body silent for the idle timeout throws <see cref="TimeoutException"/>
    /// and is treated as broken off (resumed).
    /// </summary>
    private async Task<int> ReadWithinIdleTimeoutAsync(Stream body, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var idle = new CancellationTokenSource(_options.IdleTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        try
        {
            return await body.ReadAsync(buffer, linked.Token);
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the upstream sent nothing for {_options.IdleTimeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>
    /// Reopens the blob at <paramref name="offset"/> with backoff until a response arrives or the attempts
    /// (counted from <paramref name="attempts"/>) run out; an upstream that ignores the range is skipped ahead.
    /// </summary>
    private async Task<(BlobSourceResponse? Response, int Attempts)> ResumeAsync(long offset, byte[] buffer, string reason, int attempts, CancellationToken cancellationToken)
    {
        while (attempts < _options.MaxResumes)
        {
            await Task.Delay(_options.ResumeBackoff * (1 << attempts), _time, cancellationToken);
            attempts++;
            CacheLog.FillResuming(_logger, Repository, Digest, offset, attempts, reason);
            BlobSourceResponse? response = null;
            try
            {
                response = await _source.OpenAsync(Repository, Digest, offset, cancellationToken);
                if (response.Status != SourceStatus.Found || response.Offset > offset)
                {
                    reason = $"the upstream answered {response.Status} from byte {response.Offset}";
                    response.Dispose();
                    continue;
                }

                // These bytes are already in the file and in the hash; a 200 to a Range request sends them again.
                for (var skip = offset - response.Offset; skip > 0;)
                {
                    var read = await response.Body!.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, skip)), cancellationToken);
                    skip -= read > 0 ? read : throw new IOException("the upstream body ended before the resume point");
                }

                return (response, attempts);
            }
            catch (Exception ex) when (IsUpstreamFault(ex, cancellationToken))
            {
                reason = ex.Message;
                response?.Dispose();
            }
        }

        return (null, attempts);
    }

    private static bool IsUpstreamFault(Exception ex, CancellationToken cancellationToken) =>
        ex is IOException or HttpRequestException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private void Finish(FillState state, FillFailure failure)
    {
        if (state != FillState.Verified)
        {
            Writer?.Abandon();
        }

        Failure = failure;
        Volatile.Write(ref _state, (int)state);
        Pulse();
    }

    private void Pulse() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
