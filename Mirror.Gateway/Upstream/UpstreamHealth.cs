namespace Mirror.Gateway.Upstream;

/// <summary>How the last request to the upstream went, for <c>/readyz</c>.</summary>
internal sealed class UpstreamHealth(TimeProvider time)
{
    private readonly Lock _gate = new();

    public DateTimeOffset? LastSuccess { get; private set; }

    public DateTimeOffset? LastFailure { get; private set; }

    public string? LastError { get; private set; }

    /// <summary>True while the most recent request reached the upstream and was not answered with 5xx.</summary>
    public bool Reachable
    {
        get
        {
            lock (_gate)
            {
                return LastFailure is null || LastSuccess > LastFailure;
            }
        }
    }

    public void Succeeded()
    {
        lock (_gate)
        {
            LastSuccess = time.GetUtcNow();
        }
    }

    public void Failed(string error)
    {
        lock (_gate)
        {
            LastFailure = time.GetUtcNow();
            LastError = error;
        }
    }
}
