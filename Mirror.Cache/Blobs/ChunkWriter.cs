using System.Buffers;
using System.Threading.Channels;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Blobs;

/// <summary>
/// Appends a fill's chunks to its temp file on one task of its own and hashes them on another, so that
/// receiving a chunk, hashing the last and writing the one before all overlap: SHA-256 was a third of a
/// cold fill's CPU and the longest stage on the receiving task, and writing fresh page cache costs about
/// as much again (bench/notes.md). Readers follow the write, never the hash: the bytes they get are
/// unverified until the fill verifies either way. At most <see cref="Capacity"/> chunks wait for either
/// stage, which bounds a fill's memory; each chunk's buffer comes from <see cref="ArrayPool{T}.Shared"/>
/// and goes back once both stages are done with it.
/// </summary>
internal sealed class ChunkWriter
{
    public const int Capacity = 8;

    private readonly Channel<Chunk> _toWrite = Bounded();
    private readonly Channel<Chunk> _toHash = Bounded();
    private readonly BlobWriter _writer;
    private readonly Action<long> _written;
    private readonly Action<Exception> _faulted;
    private readonly Task _writing;
    private readonly Task _hashing;
    private volatile Exception? _fault;

    /// <param name="writer">The temp file, and the hash of what it holds.</param>
    /// <param name="written">Called after each append with the file's new length.</param>
    /// <param name="faulted">Called once, when an append fails (disk full, permissions); later chunks are dropped.</param>
    public ChunkWriter(BlobWriter writer, Action<long> written, Action<Exception> faulted)
    {
        _writer = writer;
        _written = written;
        _faulted = faulted;
        _writing = Task.Run(WriteAsync);
        _hashing = Task.Run(HashAsync);
    }

    /// <summary>Whether an append failed.</summary>
    public bool Faulted => _fault is not null;

    /// <summary>Queues a chunk to be hashed and written, waiting while <see cref="Capacity"/> are queued; the buffer is the writer's from here on.</summary>
    public async ValueTask AddAsync(byte[] buffer, int count, CancellationToken cancellationToken)
    {
        var chunk = new Chunk(buffer, count);
        await _toHash.Writer.WriteAsync(chunk, cancellationToken);
        try
        {
            await _toWrite.Writer.WriteAsync(chunk, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Hashed but never to be written: the write stage's share of the buffer is done.
            chunk.Done();
            throw;
        }
    }

    /// <summary>Writes and hashes what is queued and stops; true when every chunk reached the file. Safe to call twice.</summary>
    public async Task<bool> CompleteAsync()
    {
        _toHash.Writer.TryComplete();
        _toWrite.Writer.TryComplete();
        await Task.WhenAll(_writing, _hashing);
        return !Faulted;
    }

    private static Channel<Chunk> Bounded() => Channel.CreateBounded<Chunk>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private async Task WriteAsync()
    {
        await foreach (var chunk in _toWrite.Reader.ReadAllAsync())
        {
            try
            {
                if (_fault is null)
                {
                    _writer.Append(chunk.Bytes);
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
                chunk.Done();
            }
        }
    }

    private async Task HashAsync()
    {
        await foreach (var chunk in _toHash.Reader.ReadAllAsync())
        {
            try
            {
                _writer.Hash(chunk.Bytes);
            }
            finally
            {
                chunk.Done();
            }
        }
    }

    /// <summary>A pooled buffer shared by the two stages: returned when the second is done with it.</summary>
    private sealed class Chunk(byte[] buffer, int count)
    {
        private int _stages = 2;

        public ReadOnlySpan<byte> Bytes => buffer.AsSpan(0, count);

        public void Done()
        {
            if (Interlocked.Decrement(ref _stages) == 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
