using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Mirror.Cache.Buckets;
using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// Writes one blob into a temp file while hashing it; <see cref="Verify"/> checks digest and length and
/// <see cref="MoveIntoPlace"/> renames the file under its digest, which is the only way content enters the
/// store (through <see cref="BlobStore.CommitAsync"/>). Disposing without a commit deletes the temp file.
/// </summary>
internal sealed class BlobWriter : IDisposable
{
    private readonly Digest _digest;
    private readonly string _finalPath;
    private readonly ILogger _logger;
    private readonly SafeFileHandle _handle;
    private readonly IncrementalHash _hash;
    private bool _committed;
    private bool _abandoned;

    /// <summary>Creates the temp file; <paramref name="upload"/> starts the blob's upload into the bucket, fed as the file grows (<c>null</c>: none).</summary>
    public BlobWriter(Digest digest, string tempPath, string finalPath, ILogger logger, Func<SafeFileHandle, IBucketUpload?>? upload = null)
    {
        _digest = digest;
        _finalPath = finalPath;
        _logger = logger;
        TempPath = tempPath;
        _handle = File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        _hash = digest.CreateHash();
        Upload = upload?.Invoke(_handle);
    }

    /// <summary>The blob's upload into the bucket, completed by the commit; <c>null</c> on the filesystem alone (or for a copy from the bucket).</summary>
    public IBucketUpload? Upload { get; }

    /// <summary>The temp file, readable by others while the blob is being written.</summary>
    public string TempPath { get; }

    public long Length { get; private set; }

    /// <summary>The open temp file, for positional reads by readers that follow the write.</summary>
    public SafeFileHandle Handle => _handle;

    /// <summary>Adds the next bytes of the blob to the digest being computed.</summary>
    public void Hash(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    /// <summary>Appends the next bytes to the temp file.</summary>
    /// <remarks>
    /// Synchronous: it lands in the page cache, and a thread-pool hop per chunk cost more than the copy
    /// (bench/notes.md).
    /// </remarks>
    public void Append(ReadOnlySpan<byte> data)
    {
        RandomAccess.Write(_handle, data, Length);
        Length += data.Length;
        Upload?.Wrote(Length);
    }

    public Digest Digest => _digest;

    /// <summary>Checks the length and the digest of what was written; <see cref="CommitResult.Committed"/> when both match.</summary>
    public CommitResult Verify(long? expectedLength)
    {
        if (expectedLength is { } expected && expected != Length)
        {
            return CommitResult.SizeMismatch;
        }

        return Digest.FromHash(_digest.Algorithm, _hash.GetHashAndReset()) == _digest ? CommitResult.Committed : CommitResult.DigestMismatch;
    }

    /// <summary>Renames the verified temp file into place: from here on it is in the store.</summary>
    public CommitResult MoveIntoPlace()
    {
        if (_abandoned)
        {
            return CommitResult.StoreFault;
        }

        try
        {
            // Flushed before the rename, so a crash or power cut never leaves a short file under a digest name.
            RandomAccess.FlushToDisk(_handle);
            Directory.CreateDirectory(Path.GetDirectoryName(_finalPath)!);
            File.Move(TempPath, _finalPath, overwrite: true);
            _committed = true;
            return CommitResult.Committed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            StorageLog.StoreWriteFailed(_logger, _digest, ex);
            return CommitResult.StoreFault;
        }
    }

    /// <summary>
    /// Removes the temp file at once (a full disk gets its space back), while the open handle still serves
    /// readers that have it; nothing is committed after this.
    /// </summary>
    public void Abandon()
    {
        if (_committed || _abandoned)
        {
            return;
        }

        _abandoned = true;
        try
        {
            File.Delete(TempPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the sweep at the next start; nothing refers to a temp file.
            StorageLog.TempFileNotRemoved(_logger, TempPath, ex);
        }
    }

    public void Dispose()
    {
        // An upload not completed by the commit is aborted: nothing unverified appears in the bucket.
        Upload?.Dispose();
        Abandon();
        _handle.Dispose();
        _hash.Dispose();
    }
}
