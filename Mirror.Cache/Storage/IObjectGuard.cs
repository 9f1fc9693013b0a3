using Mirror.Cache.Protocol;

namespace Mirror.Cache.Storage;

/// <summary>
/// Keeps the completion of a blob's upload and the deletion of its object apart, per digest: a sweep deletes an
/// object only while it holds the digest's guard, after checking that nothing wrote the object again since it
/// was judged (<see cref="ObjectDeletes"/>), and a fill completes its upload while holding it. On one node a lock
/// in the process (<see cref="LocalObjectGuard"/>); in a cluster a lease every node asks (the cluster's, above
/// the store). Chosen once, in the composition.
/// </summary>
internal interface IObjectGuard
{
    /// <summary>
    /// Holds the guard of <paramref name="digest"/>, waiting up to <paramref name="wait"/> for whoever holds it;
    /// the hold says whether it was had (not when the wait ran out, or nobody could be asked).
    /// </summary>
    Task<ObjectHold> HoldAsync(Digest digest, TimeSpan wait, CancellationToken cancellationToken);
}
