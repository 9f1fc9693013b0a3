using System.Buffers;
using Mirror.Cache.Concurrency;
using Mirror.Cache.Diagnostics;
using Mirror.Cache.Storage;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Blobs;

/// <summary>
/// The fetch of a <see cref="BlobFill"/> on the node that fetches: asks the upstream (again, within the
/// first-byte bound, while it fails), copies the body into the temp file readers follow, resuming with a
/// <c>Range</c> request where the upstream breaks off, then verifies and commits. In a cluster it runs
/// under the fill's lease, whose value names the temp file to the nodes that follow.
/// </summary>
internal sealed class FillCopy
{
    private readonly BlobFill _fill;
    private readonly BlobFillServices _services;
    private readonly BlobRequests _requests;
    private UpstreamBlob? _response;
    private long _received;
    private int _resumes;

    public FillCopy(BlobFill fill)
    {
        _fill = fill;
        _services = fill.Services;
        _requests = new BlobRequests(fill.Source, fill.Repository, fill.Digest, _services.Options, _services.Time, _services.Logger);
    }

    /// <summary>
    /// Fetches, writes, verifies and commits, under <paramref name="lease"/> in a cluster (its value tells
    /// other nodes which file to follow); <paramref name="takeoverFrom"/> is the temp file of a node that
    /// died filling, whose bytes are re-hashed and kept, and the rest asked for with a <c>Range</c>. Never
    /// throws; the outcome is in the fill's stage.
    /// </summary>
    public async Task RunAsync(IClusterLease? lease, string? takeoverFrom, CancellationToken cancellationToken)
    {
        // The first answer, until CopyAsync takes it over (and disposes it, with any resumes).
        UpstreamBlob? first = null;
        using var guarded = lease is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
        cancellationToken = guarded?.Token ?? cancellationToken;
        try
        {
            var kept = await TakeOverAsync(takeoverFrom, cancellationToken);

            // 1. Ask the upstream for the blob (again, within the first-byte bound, while it fails).
            first = await _requests.OpenAsync(kept, cancellationToken);
            if (await OpenFileAsync(first, lease, cancellationToken) is not { } writer)
            {
                return;
            }

            // 3. Copy the body into it, resuming where the upstream breaks off; 4. verify and commit.
            var copying = first;
            first = null;
            if (await CopyAsync(copying, writer, kept, cancellationToken))
            {
                await VerifyAsync(writer, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _fill.Fail(FillFailure.Cancelled, UpstreamError.Because("the mirror is stopping"));
        }
        catch (Exception ex)
        {
            // A bug, not an upstream or store fault (those are values); readers must not wait forever.
            BlobLog.FillCrashed(_services.Logger, _fill.Repository, _fill.Digest, ex);
            _fill.Fail(FillFailure.Upstream, UpstreamError.Because("internal error"));
        }
        finally
        {
            first?.Dispose();
        }
    }

    /// <summary>How many bytes of <paramref name="takeoverFrom"/>, a dead node's temp file, this fill keeps (<see cref="FillTakeover"/>).</summary>
    private async Task<long> TakeOverAsync(string? takeoverFrom, CancellationToken cancellationToken) =>
        takeoverFrom is not null && _services.Store.TryCreateWriter(_fill.Digest) is { } adopting
            ? await FillTakeover.RunAsync(_fill, takeoverFrom, adopting, cancellationToken)
            : 0;

    /// <summary>
    /// 2. The upstream's answer. When it has the blob (under this repository's name), the temp file readers
    /// will follow, named to the cluster under <paramref name="lease"/>; <c>null</c> when the fill ended here.
    /// </summary>
    private async Task<BlobWriter?> OpenFileAsync(UpstreamBlob first, IClusterLease? lease, CancellationToken cancellationToken)
    {
        if (first.Status != SourceStatus.Found)
        {
            _fill.Begin(new FillStart(first.Status, null, first.Error));
            _fill.Finish(FillStage.Failed, FillFailure.Upstream);
            return null;
        }

        _services.Links.Link(_fill.Repository, _fill.Digest);
        _fill.Announce(first.TotalLength);
        var writer = _fill.Writer ?? _services.Store.TryCreateWriter(_fill.Digest);
        _fill.Begin(new FillStart(SourceStatus.Found, _fill.Length, null));
        if (writer is null)
        {
            _fill.Finish(FillStage.StoreFaulted, FillFailure.None);
            return null;
        }

        _fill.WriteTo(writer);
        if (lease is not null)
        {
            await lease.SetValueAsync(ClusterFill.LeaseValue(_services.Cluster.Node, writer.TempPath, _fill.Length, _services.Peers.Self), cancellationToken);
            BlobLog.FillingForCluster(_services.Logger, _fill.Digest, writer.TempPath);
        }

        return writer;
    }

    /// <summary>
    /// Receives and hashes the body, hands each chunk to a <see cref="ChunkWriter"/> for the file, and
    /// resumes where the upstream breaks off; disposes every response it used. True when the whole body is
    /// in the file, ready to verify; false when the fill already finished (the upstream gave up, or the store
    /// faulted).
    /// </summary>
    private async Task<bool> CopyAsync(UpstreamBlob first, BlobWriter writer, long kept, CancellationToken cancellationToken)
    {
        var chunks = new ChunkWriter(writer, _fill.Wrote, OnStoreFault);
        (_response, _received) = (first, kept);
        try
        {
            return await PumpAsync(chunks, writer, cancellationToken);
        }
        finally
        {
            _response?.Dispose();
            await chunks.CompleteAsync();
        }
    }

    /// <summary>Reads the body chunk by chunk into <paramref name="chunks"/> until it ends, the fill fails, or the store faults.</summary>
    private async Task<bool> PumpAsync(ChunkWriter chunks, BlobWriter writer, CancellationToken cancellationToken)
    {
        while (!chunks.Faulted)
        {
            var chunk = ArrayPool<byte>.Shared.Rent(_services.Options.BufferSize);
            BodyRead read;
            try
            {
                read = await _response!.Body!.ReadAsync(chunk, cancellationToken);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(chunk);
                throw;
            }

            _services.Metrics.Pulled(_fill.Source.Name, MirrorMetrics.Blob, read.Count);
            if (read.Count == 0 || read.Failed || Overruns(read.Count))
            {
                ArrayPool<byte>.Shared.Return(chunk);
                if (await EndOrResumeAsync(read, chunks, cancellationToken) is { } copied)
                {
                    return copied;
                }

                continue;
            }

            // Hashing this chunk while the chunk writer writes the previous ones: the two overlap.
            writer.Hash(chunk.AsSpan(0, read.Count));
            _received += read.Count;
            await chunks.AddAsync(chunk, read.Count, cancellationToken);
        }

        return false;
    }

    /// <summary>
    /// A read with no bytes to copy: a break (or an early end) to resume from (<c>null</c>: the copy goes
    /// on), the body's end (true once every chunk is in the file), or more bytes than announced (false).
    /// </summary>
    private async Task<bool?> EndOrResumeAsync(BodyRead read, ChunkWriter chunks, CancellationToken cancellationToken)
    {
        if (FaultOf(read) is { } fault)
        {
            return await ResumeAsync(fault, cancellationToken) ? null : false;
        }

        if (read.Count == 0)
        {
            return await chunks.CompleteAsync();
        }

        BlobLog.FillTruncated(_services.Logger, _fill.Repository, _fill.Digest, _received + read.Count, _fill.Length);
        _fill.Finish(FillStage.Failed, FillFailure.Truncated);
        return false;
    }

    /// <summary>Why the upstream's body cannot go on from here (it broke off, or ended before the announced length); <c>null</c> when it may.</summary>
    private string? FaultOf(BodyRead read) =>
        read.Fault ?? (read.Count == 0 && _fill.Length is { } length && _received < length ? $"the upstream body ended at byte {_received} of {length}" : null);

    /// <summary>Whether <paramref name="count"/> more bytes run past the length the upstream announced.</summary>
    private bool Overruns(int count) => _fill.Length is { } expected && _received + count > expected;

    /// <summary>Asks the upstream again from the byte it broke off at; false when it gave up (the fill has then failed).</summary>
    private async Task<bool> ResumeAsync(string fault, CancellationToken cancellationToken)
    {
        _response!.Dispose();
        (_response, _resumes) = await _requests.ResumeAsync(_received, fault, _resumes, cancellationToken);
        if (_response is not null)
        {
            return true;
        }

        BlobLog.FillGaveUp(_services.Logger, _fill.Repository, _fill.Digest, _received, _resumes, fault);
        _fill.Finish(FillStage.Failed, FillFailure.Truncated);
        return false;
    }

    /// <summary>4. Verifies; readers may then finish from the temp file, and the commit (which waits for the disk) comes after, off their path.</summary>
    private async Task VerifyAsync(BlobWriter writer, CancellationToken cancellationToken)
    {
        switch (writer.Verify(_fill.Length))
        {
            case CommitResult.Committed:
                await CommitVerifiedAsync(writer, cancellationToken);
                break;
            case CommitResult.DigestMismatch:
                BlobLog.DigestMismatch(_services.Logger, _fill.Repository, _fill.Digest, writer.Length);
                _services.Metrics.DigestMismatch(_fill.Source.Name, MirrorMetrics.Blob);
                _fill.Finish(FillStage.Failed, FillFailure.DigestMismatch);
                break;
            default:
                BlobLog.FillTruncated(_services.Logger, _fill.Repository, _fill.Digest, writer.Length, _fill.Length);
                _fill.Finish(FillStage.Failed, FillFailure.Truncated);
                break;
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
        await _services.Provenance.RecordAsync(_fill.Repository, _fill.Digest, cancellationToken);
        var storedAlready = _services.Store.Contains(_fill.Digest);
        if (storedAlready)
        {
            writer.Abandon();
        }

        _fill.Finish(FillStage.Verified, FillFailure.None);
        if (!storedAlready)
        {
            await _services.Store.CommitAsync(writer, cancellationToken);
        }
    }

    private void OnStoreFault(Exception fault)
    {
        StorageLog.StoreWriteFailed(_services.Logger, _fill.Digest, fault);
        _fill.Finish(FillStage.StoreFaulted, FillFailure.None);
    }
}
