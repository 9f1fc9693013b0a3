namespace Mirror.Cache.Fills;

/// <summary>
/// Thrown to a reader when the fill it reads from cannot deliver a verified blob: the response it is writing
/// must be aborted, never completed.
/// </summary>
internal sealed class FillFailedException(FillFailure failure, string message) : IOException(message)
{
    public FillFailure Failure { get; } = failure;
}
