using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Blobs;

/// <summary>
/// Takes over the temp file of a node that died filling (<see cref="ClusterFill"/>): its bytes are copied
/// into this node's own temp file and hashed, so nothing that node half-wrote is trusted unverified, then
/// readers move to the new file; the fetch goes on from there with a <c>Range</c> request.
/// </summary>
internal static class FillTakeover
{
    /// <summary>Copies the bytes of <paramref name="path"/> into <paramref name="writer"/> for <paramref name="fill"/>; returns how many were kept.</summary>
    public static async Task<long> RunAsync(BlobFill fill, string path, BlobWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            using var old = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            await CopyAsync(old, writer, fill.Services.Options.BufferSize, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            // The dead node's file is gone: the fill starts over.
        }

        // Readers move to this node's file only once it has every byte they may have read.
        BlobLog.FillTakenOver(fill.Services.Logger, fill.Services.Cluster.Node, fill.Digest, writer.Length);
        fill.Adopt(writer);
        return writer.Length;
    }

    private static async Task CopyAsync(SafeFileHandle old, BlobWriter writer, int bufferSize, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
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
}
