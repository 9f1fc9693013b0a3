using System.Buffers;

namespace Mirror.Cache.Blobs;

/// <summary>
/// The chunks a fill has received and hashed, kept in memory until they are in its temp file: readers at the
/// fill's front (the client that asked first, usually) copy them as they arrive rather than after the write
/// and a read back, so the write is off their path (issue 21: the first client followed the file, and each
/// 256 KiB chunk waited for receive, hash, queue, write, wake-up, read back and send in turn). The slots are
/// reused in turn, each only after its chunk is written, so every byte received is in a slot or in the file;
/// a reader that copied from a slot while it was reused sees it (the slot's offset changed) and reads the file.
/// One receiver (the fill's copy) and one writer (<see cref="ChunkWriter"/>); any number of readers. The slots'
/// buffers come from <see cref="ArrayPool{T}.Shared"/> as they are first used and go back at
/// <see cref="Dispose"/>, when no reader is left.
/// </summary>
internal sealed class ReceivedChunks : IDisposable
{
    private readonly byte[]?[] _buffers;
    // The blob offset of each slot's chunk; -1 while the slot is free or being received into.
    private readonly long[] _starts;
    private readonly int[] _counts;
    private readonly SemaphoreSlim _free;
    private readonly int _size;
    private int _next;
    private long _received;

    /// <param name="slots">How many chunks may be received and not yet written; bounds the fill's memory.</param>
    /// <param name="size">Each slot's buffer size (a read from the upstream at most).</param>
    /// <param name="received">The bytes the fill has already (kept from a taken-over file): where the first chunk starts.</param>
    public ReceivedChunks(int slots, int size, long received)
    {
        (_buffers, _starts, _counts) = (new byte[]?[slots], new long[slots], new int[slots]);
        Array.Fill(_starts, -1);
        _free = new SemaphoreSlim(slots, slots);
        (_size, _received) = (size, received);
    }

    /// <summary>The end of the bytes received so far: each is in a slot or in the file.</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>The receiver takes the next slot to receive into, waiting while every slot's chunk is still unwritten.</summary>
    public async ValueTask<int> TakeAsync(CancellationToken cancellationToken)
    {
        await _free.WaitAsync(cancellationToken);
        var slot = _next;
        _next = (slot + 1) % _starts.Length;
        // Readers must see the slot as gone before its buffer changes: the exchange is a full fence.
        Interlocked.Exchange(ref _starts[slot], -1);
        _buffers[slot] ??= ArrayPool<byte>.Shared.Rent(_size);
        return slot;
    }

    /// <summary>The buffer of a slot the receiver took.</summary>
    public Memory<byte> Buffer(int slot) => _buffers[slot].AsMemory(0, _size);

    /// <summary>The receiver received nothing into <paramref name="slot"/>, the last it took: the slot is next again.</summary>
    public void Untake(int slot)
    {
        _next = slot;
        _free.Release();
    }

    /// <summary>The receiver received and hashed <paramref name="count"/> bytes into <paramref name="slot"/>: readers may copy them.</summary>
    public void Publish(int slot, int count)
    {
        var start = _received;
        _counts[slot] = count;
        Volatile.Write(ref _starts[slot], start);
        Volatile.Write(ref _received, start + count);
    }

    /// <summary>The writer wrote <paramref name="slot"/>'s chunk into the file: the receiver may reuse the slot.</summary>
    public void Written(int slot) => _free.Release();

    /// <summary>The bytes of a slot the receiver published, for the writer.</summary>
    public ReadOnlySpan<byte> Chunk(int slot) => _buffers[slot].AsSpan(0, _counts[slot]);

    /// <summary>
    /// Copies received bytes at <paramref name="position"/> into <paramref name="destination"/>, across
    /// consecutive chunks while they are in memory; 0 when the byte at <paramref name="position"/> is not
    /// (not received yet, or only in the file by now).
    /// </summary>
    public int Copy(Span<byte> destination, long position)
    {
        var copied = 0;
        while (copied < destination.Length && CopyOne(destination[copied..], position + copied) is > 0 and var count)
        {
            copied += count;
        }

        return copied;
    }

    private int CopyOne(Span<byte> destination, long position)
    {
        for (var slot = 0; slot < _starts.Length; slot++)
        {
            var start = Volatile.Read(ref _starts[slot]);
            if (start < 0 || position < start)
            {
                continue;
            }

            var offset = position - start;
            var count = Volatile.Read(ref _counts[slot]);
            if (offset >= count)
            {
                continue;
            }

            var length = (int)Math.Min(destination.Length, count - offset);
            _buffers[slot].AsSpan((int)offset, length).CopyTo(destination);
            // The copy's reads must not pass the check below: a slot reused meanwhile may have torn them.
            Interlocked.MemoryBarrier();
            return Volatile.Read(ref _starts[slot]) == start ? length : 0;
        }

        return 0;
    }

    public void Dispose()
    {
        for (var slot = 0; slot < _buffers.Length; slot++)
        {
            if (_buffers[slot] is { } buffer)
            {
                _buffers[slot] = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        _free.Dispose();
    }
}
