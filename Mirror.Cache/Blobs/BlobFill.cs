using Microsoft.Win32.SafeHandles;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;
using Mirror.Cache.Upstream;

namespace Mirror.Cache.Blobs;

/// <summary>
/// One upstream fetch of one blob into the store, shared by every client that asks for it meanwhile. The
/// bytes go to a temp file that readers follow as it grows; the fill belongs to the mirror, so it runs on
/// when the client that started it leaves. This is the fill's state, as readers see it: the file to read,
/// how much of it is written, and the stage, which ends <see cref="FillStage.Verified"/> only when the whole
/// body hashed to its digest. <see cref="FillCopy"/> fetches, writes and verifies (resuming with a
/// <c>Range</c> request when the upstream breaks off); in a cluster, <see cref="ClusterFill"/> decides
/// whether this node fetches or follows another node's fill, and <see cref="FillTakeover"/> takes over the
/// file of a node that died filling.
/// </summary>
internal sealed class BlobFill
{
    private readonly List<IDisposable> _followed = [];
    private readonly TaskCompletionSource<FillStart> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private BlobWriter? _writer;
    private SafeFileHandle? _following;
    private long _written;
    private long _answeredAt;
    private long _writtenAtAnswer;
    private int _stage;
    private int _references = 1;

    public BlobFill(RepositoryKey repository, Digest digest, IBlobSource source, BlobFillServices services)
    {
        Repository = repository;
        Digest = digest;
        Source = source;
        Services = services;
        StartedAt = services.Time.GetTimestamp();
    }

    /// <summary>When the fill started, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long StartedAt { get; }

    /// <summary>How many clients are reading the fill now (the fill's own reference aside).</summary>
    public int Readers => Math.Max(0, Volatile.Read(ref _references) - 1);

    /// <summary>Where the fill stands now.</summary>
    public FillProgress Progress() => new(Repository, Digest, Written, Length, Services.Time.GetElapsedTime(StartedAt), Readers);

    public RepositoryKey Repository { get; }

    public Digest Digest { get; }

    /// <summary>Completes when the upstream has answered: found (with the length), or why not.</summary>
    public Task<FillStart> Started => _started.Task;

    public FillStage Stage => (FillStage)Volatile.Read(ref _stage);

    public FillFailure Failure { get; private set; }

    /// <summary>The blob's length, once <see cref="Started"/> said it.</summary>
    public long? Length { get; private set; }

    /// <summary>How many bytes are in the temp file, readable but not yet verified unless the stage says so.</summary>
    public long Written => Volatile.Read(ref _written);

    /// <summary>Completes at the next write or stage change; take it before reading the stage, then await it.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>The temp file this node writes, when it fetches.</summary>
    internal BlobWriter? Writer => Volatile.Read(ref _writer);

    /// <summary>The file readers read from (this node's temp file, or the one another node writes): valid while they hold a reference.</summary>
    internal SafeFileHandle? ReadHandle => Volatile.Read(ref _following) ?? Writer?.Handle;

    internal IBlobSource Source { get; }

    internal BlobFillServices Services { get; }

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

    /// <summary>Fetches, writes, verifies and commits, or in a cluster follows the node that does. Never throws; the outcome is in <see cref="Stage"/>.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Services.Runner.RunAsync(this, cancellationToken);

    /// <summary>How long the upstream took to answer the fill (or, following another node, to learn its file): what a request of its own would wait too.</summary>
    internal TimeSpan FirstByteTime => Services.Time.GetElapsedTime(StartedAt, Volatile.Read(ref _answeredAt) is > 0 and var at ? at : Services.Time.GetTimestamp());

    /// <summary>The bytes a second the fill has been taking in since the upstream answered; 0 until that is known.</summary>
    internal double Rate
    {
        get
        {
            var at = Volatile.Read(ref _answeredAt);
            var elapsed = at > 0 ? Services.Time.GetElapsedTime(at) : TimeSpan.Zero;
            var taken = Written - Volatile.Read(ref _writtenAtAnswer);
            return elapsed > TimeSpan.Zero && taken > 0 ? taken / elapsed.TotalSeconds : 0;
        }
    }

    /// <summary>The upstream has answered (or the fill knows it never will): <see cref="Started"/> completes, once.</summary>
    internal void Begin(FillStart start)
    {
        if (!_started.Task.IsCompleted && Volatile.Read(ref _answeredAt) == 0)
        {
            // Where the fill's rate is counted from: the bytes a followed file already had came at no cost of time.
            Volatile.Write(ref _writtenAtAnswer, Written);
            Volatile.Write(ref _answeredAt, Services.Time.GetTimestamp());
        }

        _started.TrySetResult(start);
    }

    /// <summary>Takes the length the upstream announced, unless one is known already.</summary>
    internal void Announce(long? length) => Length ??= length;

    /// <summary>This node fetches the blob into <paramref name="writer"/>'s temp file.</summary>
    internal void WriteTo(BlobWriter writer) => Volatile.Write(ref _writer, writer);

    /// <summary>Readers move to <paramref name="writer"/>'s temp file, which has every byte they may have read from the file they followed.</summary>
    internal void Adopt(BlobWriter writer)
    {
        Volatile.Write(ref _writer, writer);
        Volatile.Write(ref _following, null);
        Wrote(writer.Length);
    }

    /// <summary>Keeps <paramref name="owned"/> (a follower's local copy) until the last reader is done with the fill.</summary>
    internal void Own(IDisposable owned)
    {
        lock (_followed)
        {
            _followed.Add(owned);
        }
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

        // What the file has already is there now: the fill's rate counts from it (see Begin).
        Grew(RandomAccess.GetLength(handle));
        Begin(new FillStart(SourceStatus.Found, Length, null));
        Pulse();
    }

    /// <summary>The followed file has grown to <paramref name="written"/> bytes.</summary>
    internal void Grew(long written)
    {
        if (written > Written)
        {
            Wrote(written);
        }
    }

    /// <summary>The file readers read holds <paramref name="written"/> bytes now.</summary>
    internal void Wrote(long written)
    {
        Volatile.Write(ref _written, written);
        Pulse();
    }

    /// <summary>The node that filled committed the blob: every byte readers follow is verified.</summary>
    internal void CommittedElsewhere(long length)
    {
        // Readers finish from a file with every byte: the one followed may be a node's that stopped short.
        if (ReadHandle is not { } current || RandomAccess.GetLength(current) < length)
        {
            try
            {
                Follow(File.OpenHandle(Services.Store.CommittedPath(Digest), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), length);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // Removed again at once: the client asks again.
                Fail(FillFailure.Upstream, UpstreamError.Because("the blob was removed from the store as it was committed"));
                return;
            }
        }

        Length ??= length;
        Begin(new FillStart(SourceStatus.Found, Length, null));
        Wrote(length);
        Finish(FillStage.Verified, FillFailure.None);
    }

    /// <summary>The fill cannot go on: the upstream never answered, the mirror is stopping, or (in a cluster) the coordinator is gone and so is the filler.</summary>
    internal void Fail(FillFailure failure, UpstreamError error)
    {
        Begin(new FillStart(SourceStatus.Unavailable, null, error));
        Finish(FillStage.Failed, failure);
    }

    /// <summary>Ends the fill at <paramref name="stage"/>; a temp file that did not verify is abandoned.</summary>
    internal void Finish(FillStage stage, FillFailure failure)
    {
        if (stage != FillStage.Verified)
        {
            Writer?.Abandon();
        }

        Failure = failure;
        Volatile.Write(ref _stage, (int)stage);
        Pulse();
    }

    private void Pulse() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
