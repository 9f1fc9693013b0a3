namespace Mirror.Cache.Blobs;

/// <summary>
/// One read of a blob for a response: how many bytes were copied (0 at the response's end), or why the
/// response must be cut off rather than completed (the blob did not verify, or could not be had).
/// </summary>
public readonly record struct FillRead(int Count, FillFailure Failure, string? Reason)
{
    public bool Failed => Failure != FillFailure.None;

    public static FillRead Of(int count) => new(count, FillFailure.None, null);

    public static FillRead Cut(FillFailure failure, string reason) => new(0, failure, reason);
}
