namespace Mirror.Gateway.Upstream;

/// <summary>
/// One upstream's tokens per scope, until shortly before they expire, and its realm's refusals per scope, for
/// a while, so a denied repository costs no token request per pull. Expired entries are dropped once there
/// are many.
/// </summary>
internal sealed class UpstreamTokens(TimeProvider time)
{
    /// <summary>Tokens are dropped this long before they expire, so none expires on its way to the upstream.</summary>
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(10);

    /// <summary>How long a realm's refusal of a scope is taken as its answer.</summary>
    private static readonly TimeSpan RefusalLifetime = TimeSpan.FromSeconds(30);

    private const int Many = 4096;

    private readonly Dictionary<string, UpstreamToken> _tokens = [];
    private readonly Dictionary<string, DateTimeOffset> _refused = [];
    private readonly Lock _gate = new();

    public UpstreamToken? TryGet(string scope)
    {
        lock (_gate)
        {
            return _tokens.TryGetValue(scope, out var token) && token.ExpiresAt > time.GetUtcNow() ? token : null;
        }
    }

    public bool WasRefused(string scope)
    {
        lock (_gate)
        {
            return _refused.TryGetValue(scope, out var until) && until > time.GetUtcNow();
        }
    }

    /// <summary>Keeps <paramref name="value"/>, granted for <paramref name="lifetime"/>, for <paramref name="scope"/>.</summary>
    public UpstreamToken Keep(string scope, string value, TimeSpan lifetime)
    {
        var token = new UpstreamToken(value, time.GetUtcNow() + lifetime - ExpiryMargin);
        lock (_gate)
        {
            Prune();
            _tokens[scope] = token;
        }

        return token;
    }

    public void Refuse(string scope)
    {
        lock (_gate)
        {
            Prune();
            _refused[scope] = time.GetUtcNow() + RefusalLifetime;
        }
    }

    /// <summary>Drops expired tokens and refusals once there are many; called holding the lock.</summary>
    private void Prune()
    {
        if (_tokens.Count + _refused.Count < Many)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var (scope, _) in _tokens.Where(t => t.Value.ExpiresAt <= now).ToList())
        {
            _tokens.Remove(scope);
        }

        foreach (var (scope, _) in _refused.Where(r => r.Value <= now).ToList())
        {
            _refused.Remove(scope);
        }
    }
}
