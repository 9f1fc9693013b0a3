using System.Threading.Channels;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Blobs;

/// <summary>
/// Appends a fill's chunks to its temp file on a task of its own, so that writing one chunk overlaps
/// receiving and hashing the next: writing fresh page cache costs as much CPU as hashing here, and
/// overlapping the two made a cold 512 MiB fill about 1.3x faster (bench/notes.md). The chunks wait in
/// their <see cref="ReceivedChunks"/> slots, whose number bounds a fill's memory; each slot is freed once written.
/// </summary>
internal sealed class ChunkWriter
{
    /// <summary>How many chunks a fill holds received and not yet written: one being received, one being written, eight waiting.</summary>
    public const int Capacity = 10;

    // Unbounded: the slots bound it (the receiver takes a free one before each read).
    private readonly Channel<int> _chunks = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly ReceivedChunks _received;
    private readonly BlobWriter _writer;
    private readonly Action<long> _written;
    private readonly Action<Exception> _faulted;
    private readonly Task _writing;
    private volatile Exception? _fault;

    /// <param name="received">The slots the chunks wait in.</param>
    /// <param name="writer">The temp file.</param>
    /// <param name="written">Called after each append with the file's new length.</param>
    /// <param name="faulted">Called once, when an append fails (disk full, permissions); later chunks are dropped.</param>
    public ChunkWriter(ReceivedChunks received, BlobWriter writer, Action<long> written, Action<Exception> faulted)
    {
        _received = received;
        _writer = writer;
        _written = written;
        _faulted = faulted;
        _writing = Task.Run(WriteAsync);
    }

    /// <summary>Whether an append failed.</summary>
    public bool Faulted => _fault is not null;

    /// <summary>Queues the chunk the receiver published in <paramref name="slot"/>; the slot is freed once written.</summary>
    public void Add(int slot) => _chunks.Writer.TryWrite(slot);

    /// <summary>Writes what is queued and stops; true when every chunk reached the file. Safe to call twice.</summary>
    public async Task<bool> CompleteAsync()
    {
        _chunks.Writer.TryComplete();
        await _writing;
        return !Faulted;
    }

    private async Task WriteAsync()
    {
        await foreach (var slot in _chunks.Reader.ReadAllAsync())
        {
            try
            {
                if (_fault is null)
                {
                    _writer.Append(_received.Chunk(slot));
                    _written(_writer.Length);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _fault = ex;
                _faulted(ex);
            }
            finally
            {
                _received.Written(slot);
            }
        }
    }
}
