using System.Buffers;
using Mirror.Cache.Protocol;
using Mirror.Cache.Storage;

namespace Mirror.Cache.Maintenance;

/// <summary>
/// Re-hashes stored files against their names and removes those that do not match. Safe beside a server on
/// the same store: a file is read through its own handle (a sweep may delete the name meanwhile), and one
/// that does not match is first renamed into <c>tmp/</c> and hashed again there, so what is deleted is
/// exactly the bytes found wrong, never a good copy a fill committed under the name in between (which is
/// put back). A server that still has the removed file in its index finds it gone at its next look-up,
/// forgets it, and fetches it again (<see cref="StoreIndex.ForgetVanished"/>).
/// </summary>
internal sealed class StoreVerifier(StoreLayout layout)
{
    private const int BufferSize = 1024 * 1024;

    public async Task<VerifiedFile> VerifyAsync(StoredContent content, IProgress<long>? hashed, CancellationToken cancellationToken)
    {
        var path = layout.PathOf(content.Kind, content.Digest);
        Digest actual;
        try
        {
            if (await HashAsync(path, content.Digest, hashed, cancellationToken) is not { } first)
            {
                return new VerifiedFile(content, VerifyOutcome.Vanished);
            }

            if (first == content.Digest)
            {
                return new VerifiedFile(content, VerifyOutcome.Intact);
            }

            actual = first;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new VerifiedFile(content, VerifyOutcome.Unreadable, Problem: ex.Message);
        }

        return await RemoveMismatchAsync(content, path, actual);
    }

    /// <summary>
    /// Removes a file that hashed to <paramref name="actual"/>: out of its place into <c>tmp/</c> first, and
    /// deleted only if it hashes wrong there too.
    /// </summary>
    private async Task<VerifiedFile> RemoveMismatchAsync(StoredContent content, string path, Digest actual)
    {
        var quarantine = layout.NewTempPath();
        try
        {
            File.Move(path, quarantine);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new VerifiedFile(content, VerifyOutcome.Vanished);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new VerifiedFile(content, VerifyOutcome.NotRemoved, actual, ex.Message);
        }

        try
        {
            // Not cancelled half-way: the file is out of its place until this ends.
            if (await HashAsync(quarantine, content.Digest, null, CancellationToken.None) == content.Digest)
            {
                return PutBack(content, quarantine, path);
            }

            File.Delete(quarantine);
            if (content.Kind == ContentKind.Manifest)
            {
                // Rewritten by the next fetch of the manifest, which writes it before the content.
                StoreLayout.TryDelete(StoreLayout.TypePathOf(path));
            }

            return new VerifiedFile(content, VerifyOutcome.Removed, actual);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Out of its place already, so never served; tmp/ is emptied at the server's next start.
            return new VerifiedFile(content, VerifyOutcome.Removed, actual, ex.Message);
        }
    }

    /// <summary>A fill committed a good copy between the hash and the rename: it goes back, unless another commit has put one there since.</summary>
    private static VerifiedFile PutBack(StoredContent content, string quarantine, string path)
    {
        try
        {
            File.Move(quarantine, path, overwrite: false);
        }
        catch (IOException)
        {
            StoreLayout.TryDelete(quarantine);
        }

        return new VerifiedFile(content, VerifyOutcome.Intact);
    }

    /// <summary>The digest of the file's bytes with <paramref name="like"/>'s algorithm; <c>null</c> when there is no such file.</summary>
    private static async Task<Digest?> HashAsync(string path, Digest like, IProgress<long>? hashed, CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using (stream)
            {
                using var hash = like.CreateHash();
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    hashed?.Report(read);
                }

                return Digest.FromHash(like.Algorithm, hash.GetHashAndReset());
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
