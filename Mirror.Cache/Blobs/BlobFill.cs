using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Proofs;
using Mirror.Cache.Protocol;
using Mirror.Cache.Repositories;
using Mirror.Cache.Storage;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Blobs;

/// <summary>
/// One upstream fetch of one blob into the store, shared by every client that asks for it meanwhile. The
/// bytes go to a temp file that readers follow as it grows; the fill belongs to the mirror, so it runs on
/// when the client that started it leaves. It resumes with a <c>Range</c> request when the upstream breaks
/// off, and ends <see cref="FillState.Verified"/> only when the whole body hashed to its digest. In a
/// cluster, <see cref="ClusterFill"/> decides whether this node fetches or follows another node's fill.
/// </summary>
internal sealed class BlobFill
{
    private readonly IBlobSource _source;
    private readonly BlobRequests _requests;
    private readonly BlobStore _store;
    private readonly IRepositoryLinks _links;
    private readonly Provenance _provenance;
    private readonly FillOptions _options;
    private readonly TimeProvider _time;
    private readonly MirrorMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IClusterCoordinator _cluster;
    private readonly List<SafeFileHandle> _followed = [];
    private readonly TaskCompletionSource<FillStart> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private BlobWriter? _writer;
    private SafeFileHandle? _following;
    private long _written;
    private int _state;
    private int _references = 1;

    public BlobFill(RepositoryKey repository, Digest digest, IBlobSource source, BlobFillServices services)
    {
        Repository = repository;
        Digest = digest;
        _source = source;
        (_store, _links, _provenance, _options, _time, _metrics, _logger, _cluster) = services;
        _requests = new BlobRequests(source, repository, digest, _options, _time, _logger);
        StartedAt = _time.GetTimestamp();
    }

    /// <summary>When the fill started, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long StartedAt { get; }

    /// <summary>How many clients are reading the fill now (the fill's own reference aside).</summary>
    public int Readers => Math.Max(0, Volatile.Read(ref _references) - 1);

    /// <summary>Where the fill stands now.</summary>
    public FillProgress Progress() => new(Repository, Digest, Written, Length, _time.GetElapsedTime(StartedAt), Readers);

    public RepositoryKey Repository { get; }

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

    /// <summary>The temp file this node writes, when it fetches.</summary>
    internal BlobWriter? Writer => Volatile.Read(ref _writer);

    /// <summary>The file readers read from (this node's temp file, or the one another node writes): valid while they hold a reference.</summary>
    internal SafeFileHandle? ReadHandle => Volatile.Read(ref _following) ?? Writer?.Handle;

    internal BlobStore Store => _store;

    internal IClusterCoordinator Cluster => _cluster;

    internal TimeProvider Time => _time;

    internal ILogger Logger => _logger;

    internal IBlobSource Source => _source;

    internal MirrorMetrics Metrics => _metrics;

    internal Provenance Provenance => _provenance;

    /// <summary>Adds a reader's reference; only called while the fill is registered, so the file is still open.</summary>
    internal void AddReference() => Interlocked.Increment(ref _references);

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _writer?.Dispose();
            lock (_followed)
            {
                _followed.ForEach(handle => handle.Dispose());
            }
        }
    }

    /// <summary>Fetches, writes, verifies and commits, or in a cluster follows the node that does. Never throws; the outcome is in <see cref="State"/>.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        _cluster.Clustered ? new ClusterFill(this).RunAsync(cancellationToken) : FillAsync(null, null, cancellationToken);

    /// <summary>
    /// Fetches, writes, verifies and commits, under <paramref name="lease"/> in a cluster (its value tells
    /// other nodes which file to follow); <paramref name="takeoverFrom"/> is the temp file of a node that
    /// died filling, whose bytes are re-hashed and kept, and the rest asked for with a <c>Range</c>.
    /// </summary>
    internal async Task FillAsync(IClusterLease? lease, string? takeoverFrom, CancellationToken cancellationToken)
    {
        // The first answer, until CopyAsync takes it over (and disposes it, with any resumes).
        UpstreamBlob? first = null;
        using var guarded = lease is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
        cancellationToken = guarded?.Token ?? cancellationToken;
        try
        {
            long kept = 0;
            if (takeoverFrom is not null && _store.TryCreateWriter(Digest) is { } adopting)
            {
                kept = await TakeOverAsync(takeoverFrom, adopting, cancellationToken);
            }

            // 1. Ask the upstream for the blob (again, within the first-byte bound, while it fails).
            first = await _requests.OpenAsync(kept, cancellationToken);
            if (first.Status != SourceStatus.Found)
            {
                _started.TrySetResult(new FillStart(first.Status, null, first.Error));
                Finish(FillState.Failed, FillFailure.Upstream);
                return;
            }

            // 2. It has it, under this repository's name: open the temp file readers will follow.
            _links.Link(Repository, Digest);
            Length ??= first.TotalLength;
            var writer = Writer ?? _store.TryCreateWriter(Digest);
            _started.TrySetResult(new FillStart(SourceStatus.Found, Length, null));
            if (writer is null)
            {
                Finish(FillState.StoreFaulted, FillFailure.None);
                return;
            }

            Volatile.Write(ref _writer, writer);
            if (lease is not null)
            {
                await lease.SetValueAsync(ClusterFill.LeaseValue(_cluster.Node, writer.TempPath, Length), cancellationToken);
                BlobLog.FillingForCluster(_logger, Digest, writer.TempPath);
            }

            // 3. Copy the body into it, resuming where the upstream breaks off.
            var copying = first;
            first = null;
            if (!await CopyAsync(copying, writer, kept, cancellationToken))
            {
                return;
            }

            // 4. Verify; readers may then finish from the temp file, and the commit (which waits for the
            // disk) comes after, off their path.
            switch (writer.Verify(Length))
            {
                case CommitResult.Committed:
                    await CommitVerifiedAsync(writer, cancellationToken);
                    break;
                case CommitResult.DigestMismatch:
                    BlobLog.DigestMismatch(_logger, Repository, Digest, writer.Length);
                    _metrics.DigestMismatch(_source.Name, MirrorMetrics.Blob);
                    Finish(FillState.Failed, FillFailure.DigestMismatch);
                    break;
                default:
                    BlobLog.FillTruncated(_logger, Repository, Digest, writer.Length, Length);
                    Finish(FillState.Failed, FillFailure.Truncated);
                    break;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _started.TrySetResult(new FillStart(SourceStatus.Unavailable, null, UpstreamError.Because("the mirror is stopping")));
            Finish(FillState.Failed, FillFailure.Cancelled);
        }
        catch (Exception ex)
        {
            // A bug, not an upstream or store fault (those are values, above); readers must not wait forever.
            BlobLog.FillCrashed(_logger, Repository, Digest, ex);
            _started.TrySetResult(new FillStart(SourceStatus.Unavailable, null, UpstreamError.Because("internal error")));
            Finish(FillState.Failed, FillFailure.Upstream);
        }
        finally
        {
            first?.Dispose();
        }
    }

    /// <summary>
    /// Takes a verified blob in: first the proof that its registry served it (so whoever finds the blob
    /// committed, on any node, finds the proof too), then the readers finish, then the commit. A blob the
    /// store holds already (from another registry) is not stored again: one copy is kept, and its temp file
    /// is removed at once (the readers have it open).
    /// </summary>
    private async Task CommitVerifiedAsync(BlobWriter writer, CancellationToken cancellationToken)
    {
        await _provenance.RecordAsync(Repository, Digest, cancellationToken);
        var storedAlready = _store.Contains(Digest);
        if (storedAlready)
        {
            writer.Abandon();
        }

        Finish(FillState.Verified, FillFailure.None);
        if (!storedAlready)
        {
            _store.Commit(writer);
        }
    }

    /// <summary>
    /// Receives and hashes the body, hands each chunk to a <see cref="ChunkWriter"/> for the file, and
    /// resumes where the upstream breaks off; disposes every response it used. True when the whole body is
    /// in the file, ready to verify; false when the fill already finished (the upstream gave up, or the store
    /// faulted).
    /// </summary>
    private async Task<bool> CopyAsync(UpstreamBlob first, BlobWriter writer, long kept, CancellationToken cancellationToken)
    {
        var chunks = new ChunkWriter(writer, OnWritten, OnStoreFault);
        UpstreamBlob? response = first;
        var resumes = 0;
        var received = kept;
        try
        {
            while (!chunks.Faulted)
            {
                var chunk = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
                BodyRead read;
                try
                {
                    read = await response.Body!.ReadAsync(chunk, cancellationToken);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                    throw;
                }

                _metrics.Pulled(_source.Name, MirrorMetrics.Blob, read.Count);
                var fault = read.Fault ?? (read.Count == 0 && Length is { } length && received < length ? $"the upstream body ended at byte {received} of {length}" : null);
                if (fault is not null)
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                    response.Dispose();
                    (response, resumes) = await _requests.ResumeAsync(received, fault, resumes, cancellationToken);
                    if (response is null)
                    {
                        BlobLog.FillGaveUp(_logger, Repository, Digest, received, resumes, fault);
                        Finish(FillState.Failed, FillFailure.Truncated);
                        return false;
                    }

                    continue;
                }

                if (read.Count == 0)
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                    return await chunks.CompleteAsync();
                }

                if (Length is { } expected && received + read.Count > expected)
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                    BlobLog.FillTruncated(_logger, Repository, Digest, received + read.Count, Length);
                    Finish(FillState.Failed, FillFailure.Truncated);
                    return false;
                }

                // Hashing this chunk while the chunk writer writes the previous ones: the two overlap.
                writer.Hash(chunk.AsSpan(0, read.Count));
                received += read.Count;
                await chunks.AddAsync(chunk, read.Count, cancellationToken);
            }

            return false;
        }
        finally
        {
            response?.Dispose();
            await chunks.CompleteAsync();
        }
    }

    /// <summary>
    /// Takes over the temp file of a node that died filling: its bytes are copied into this node's own temp
    /// file and hashed (so nothing that node half-wrote is trusted unverified), then readers move to it.
    /// Returns how many bytes were kept.
    /// </summary>
    private async Task<long> TakeOverAsync(string path, BlobWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            using var old = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
            try
            {
                int read;
                while ((read = await RandomAccess.ReadAsync(old, buffer, writer.Length, cancellationToken)) > 0)
                {
                    writer.Hash(buffer.AsSpan(0, read));
                    writer.Append(buffer.AsSpan(0, read));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // The dead node's file is gone: the fill starts over.
        }

        // Readers move to this node's file only once it has every byte they may have read.
        BlobLog.FillTakenOver(_logger, _cluster.Node, Digest, writer.Length);
        Volatile.Write(ref _writer, writer);
        Volatile.Write(ref _following, null);
        OnWritten(writer.Length);
        return writer.Length;
    }

    /// <summary>Follows the temp file another node writes: readers read it as it grows.</summary>
    internal void Follow(SafeFileHandle handle, long? length)
    {
        lock (_followed)
        {
            _followed.Add(handle);
        }

        Length ??= length;
        Volatile.Write(ref _following, handle);
        _started.TrySetResult(new FillStart(SourceStatus.Found, Length, null));
        Pulse();
    }

    /// <summary>The followed file has grown to <paramref name="written"/> bytes.</summary>
    internal void Grew(long written)
    {
        if (written > Written)
        {
            OnWritten(written);
        }
    }

    /// <summary>The node that filled committed the blob: every byte readers follow is verified.</summary>
    internal void CommittedElsewhere(long length)
    {
        // Readers finish from a file with every byte: the one followed may be a node's that stopped short.
        if (ReadHandle is not { } current || RandomAccess.GetLength(current) < length)
        {
            try
            {
                Follow(File.OpenHandle(_store.CommittedPath(Digest), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), length);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // Removed again at once: the client asks again.
                Fail(FillFailure.Upstream, UpstreamError.Because("the blob was removed from the store as it was committed"));
                return;
            }
        }

        Length ??= length;
        _started.TrySetResult(new FillStart(SourceStatus.Found, Length, null));
        OnWritten(length);
        Finish(FillState.Verified, FillFailure.None);
    }

    /// <summary>The fill cannot go on (in a cluster: the coordinator is gone and so is the filler).</summary>
    internal void Fail(FillFailure failure, UpstreamError error)
    {
        _started.TrySetResult(new FillStart(SourceStatus.Unavailable, null, error));
        Finish(FillState.Failed, failure);
    }

    private void OnWritten(long written)
    {
        Volatile.Write(ref _written, written);
        Pulse();
    }

    private void OnStoreFault(Exception fault)
    {
        StorageLog.StoreWriteFailed(_logger, Digest, fault);
        Finish(FillState.StoreFaulted, FillFailure.None);
    }

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
