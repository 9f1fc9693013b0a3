using System.Buffers;
using System.Threading.Channels;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Blobs;

/// <summary>
/// Appends a fill's chunks to its temp file on a task of its own, so that writing one chunk overlaps
/// receiving and hashing the next: writing fresh page cache costs as much CPU as hashing here, and
/// overlapping the two made a cold 512 MiB fill about 1.3x faster (bench/notes.md). At most
/// <see cref="Capacity"/> chunks wait, which bounds a fill's memory; each chunk's buffer comes from
/// <see cref="ArrayPool{T}.Shared"/> and goes back once written.
/// </summary>
internal sealed class ChunkWriter
{
    public const int Capacity = 8;

    private readonly Channel<(byte[] Buffer, int Count)> _chunks = Channel.CreateBounded<(byte[], int)>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly BlobWriter _writer;
    private readonly Action<long> _written;
    private readonly Action<Exception> _faulted;
    private readonly Task _writing;
    private volatile Exception? _fault;

    /// <param name="writer">The temp file.</param>
    /// <param name="written">Called after each append with the file's new length.</param>
    /// <param name="faulted">Called once, when an append fails (disk full, permissions); later chunks are dropped.</param>
    public ChunkWriter(BlobWriter writer, Action<long> written, Action<Exception> faulted)
    {
        _writer = writer;
        _written = written;
        _faulted = faulted;
        _writing = Task.Run(WriteAsync);
    }

    /// <summary>Whether an append failed.</summary>
    public bool Faulted => _fault is not null;

    /// <summary>Queues a chunk, waiting while <see cref="Capacity"/> are queued; the buffer is the writer's from here on.</summary>
    public ValueTask AddAsync(byte[] buffer, int count, CancellationToken cancellationToken) =>
        _chunks.Writer.WriteAsync((buffer, count), cancellationToken);

    /// <summary>Writes what is queued and stops; true when every chunk reached the file. Safe to call twice.</summary>
    public async Task<bool> CompleteAsync()
    {
        _chunks.Writer.TryComplete();
        await _writing;
        return !Faulted;
    }

    private async Task WriteAsync()
    {
        await foreach (var (buffer, count) in _chunks.Reader.ReadAllAsync())
        {
            try
            {
                if (_fault is null)
                {
                    _writer.Append(buffer.AsSpan(0, count));
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
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
