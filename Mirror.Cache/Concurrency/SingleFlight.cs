namespace Mirror.Cache.Concurrency;

/// <summary>
/// Runs at most one operation per key at a time; callers that arrive while it runs share its result. The
/// operation runs on the flight's own lifetime, so a caller that gives up does not cancel it for the others.
/// </summary>
public sealed class SingleFlight<TKey, TResult> : IDisposable
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, Task<TResult>> _flights = [];
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// Returns the running operation for <paramref name="key"/>, or starts <paramref name="operation"/>.
    /// <paramref name="joined"/> says whether the caller joined an operation another caller started.
    /// </summary>
    public Task<TResult> RunAsync(TKey key, Func<CancellationToken, Task<TResult>> operation, out bool joined)
    {
        TaskCompletionSource<TResult> completion;
        lock (_gate)
        {
            if (_flights.TryGetValue(key, out var running))
            {
                joined = true;
                return running;
            }

            joined = false;
            completion = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _flights.Add(key, completion.Task);
        }

        var stopping = _stopping.Token;
        _ = Task.Run(async () =>
        {
            // The flight leaves the table before its callers hear how it ended: a caller that resumes and asks
            // again at once starts a new one, rather than joining the finished flight and getting its answer again.
            try
            {
                var result = await operation(stopping);
                Land(key);
                completion.TrySetResult(result);
            }
            catch (Exception ex)
            {
                Land(key);
                completion.TrySetException(ex);
            }
        });
        return completion.Task;
    }

    private void Land(TKey key)
    {
        lock (_gate)
        {
            _flights.Remove(key);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
