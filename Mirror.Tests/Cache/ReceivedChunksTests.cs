using Mirror.Cache.Blobs;

namespace Mirror.Tests.Cache;

[TestFixture]
internal sealed class ReceivedChunksTests
{
    private const int Size = 64;

    [Test]
    public async Task Copy_ChunksReceivedNotYetWritten_CopiesAcrossThem()
    {
        using var chunks = new ReceivedChunks(slots: 4, Size, received: 1000);
        await ReceiveAsync(chunks, Fill(Size, 1));
        await ReceiveAsync(chunks, Fill(Size / 2, 2));

        var copied = new byte[Size];
        var count = chunks.Copy(copied, 1000 + Size / 2);

        Assert.Multiple(() =>
        {
            Assert.That(chunks.Received, Is.EqualTo(1000 + Size + Size / 2));
            Assert.That(count, Is.EqualTo(Size), "half of the first chunk, then all of the second");
            Assert.That(copied, Is.EqualTo(Fill(Size / 2, 1).Concat(Fill(Size / 2, 2)).ToArray()));
            Assert.That(chunks.Copy(copied, 999), Is.Zero, "bytes before the first chunk are in the file, not here");
            Assert.That(chunks.Copy(copied, 1000 + Size + Size / 2), Is.Zero, "bytes not received yet");
        });
    }

    [Test]
    public async Task Copy_SlotTakenAgainAfterItsChunkWasWritten_FindsNothingThere()
    {
        using var chunks = new ReceivedChunks(slots: 2, Size, received: 0);
        var first = await ReceiveAsync(chunks, Fill(Size, 1));
        await ReceiveAsync(chunks, Fill(Size, 2));
        chunks.Written(first);

        var again = await chunks.TakeAsync(CancellationToken.None);
        var copied = new byte[Size];

        Assert.Multiple(() =>
        {
            Assert.That(again, Is.EqualTo(first));
            Assert.That(chunks.Copy(copied, 0), Is.Zero, "the reader reads the file, which has the chunk by now");
            Assert.That(chunks.Copy(copied, Size), Is.EqualTo(Size));
        });
    }

    [Test]
    public async Task TakeAsync_EverySlotHoldsAnUnwrittenChunk_WaitsForTheWriter()
    {
        using var chunks = new ReceivedChunks(slots: 2, Size, received: 0);
        var first = await ReceiveAsync(chunks, Fill(Size, 1));
        await ReceiveAsync(chunks, Fill(Size, 2));

        var taking = chunks.TakeAsync(CancellationToken.None).AsTask();
        var waitedWhileFull = !taking.IsCompleted;
        chunks.Written(first);

        Assert.Multiple(async () =>
        {
            Assert.That(waitedWhileFull, Is.True, "a fill holds at most its slots in memory");
            Assert.That(await taking, Is.EqualTo(first));
        });
    }

    [Test]
    public async Task Untake_NothingReceived_TheSameSlotIsNext()
    {
        using var chunks = new ReceivedChunks(slots: 3, Size, received: 0);
        var slot = await chunks.TakeAsync(CancellationToken.None);
        chunks.Untake(slot);

        Assert.That(await chunks.TakeAsync(CancellationToken.None), Is.EqualTo(slot), "the slots are reused in turn, oldest first");
    }

    [Test]
    public async Task Copy_WhileTheReceiverReusesSlots_NeverReturnsAnotherChunksBytes()
    {
        // Chunk n is filled with the byte n % 251 (the chunk size is not a multiple of 251): a copy that took
        // bytes of a slot being reused would hold bytes of another chunk than its position says.
        const int Chunk = 4096;
        const int Count = 100_000;
        using var chunks = new ReceivedChunks(slots: 2, Chunk, received: 0);
        var torn = 0;
        var copiedBytes = 0L;
        var receiving = Task.Run(async () =>
        {
            for (var n = 0; n < Count; n++)
            {
                var slot = await chunks.TakeAsync(CancellationToken.None);
                chunks.Buffer(slot).Span.Fill((byte)(n % 251));
                chunks.Publish(slot, Chunk);
                chunks.Written(slot);
            }
        });

        var copied = new byte[Chunk];
        while (!receiving.IsCompleted)
        {
            var position = Math.Max(0, chunks.Received - Chunk - 100);
            var count = chunks.Copy(copied, position);
            copiedBytes += count;
            for (var i = 0; i < count; i++)
            {
                if (copied[i] != (byte)((position + i) / Chunk % 251))
                {
                    torn++;
                    break;
                }
            }
        }

        await receiving;
        Assert.Multiple(() =>
        {
            Assert.That(torn, Is.Zero);
            Assert.That(copiedBytes, Is.Positive, "the reader copied from memory at all");
        });
    }

    private static async Task<int> ReceiveAsync(ReceivedChunks chunks, byte[] bytes)
    {
        var slot = await chunks.TakeAsync(CancellationToken.None);
        bytes.CopyTo(chunks.Buffer(slot));
        chunks.Publish(slot, bytes.Length);
        return slot;
    }

    private static byte[] Fill(int count, byte value) => Enumerable.Repeat(value, count).ToArray();
}
