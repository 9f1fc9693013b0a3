using Mirror.Cache.Protocol;

namespace Mirror.Cache.Blobs;

/// <summary>Where a running fill stands: bytes in, of how many, for how long, and how many clients wait on it.</summary>
public sealed record FillProgress(RepositoryKey Repository, Digest Digest, long Written, long? Length, TimeSpan Elapsed, int Clients)
{
    public double BytesPerSecond => Elapsed > TimeSpan.Zero ? Written / Elapsed.TotalSeconds : 0;
}
