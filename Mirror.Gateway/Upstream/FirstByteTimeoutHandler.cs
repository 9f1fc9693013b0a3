namespace Mirror.Gateway.Upstream;

/// <summary>
/// Bounds every request to an upstream, challenge and token fetch included, to its <c>timeouts.firstbyte</c>
/// from sending it to its response headers; past it the request fails with a <see cref="TimeoutException"/>,
/// a transport fault like any other. The outermost handler of the upstream pipeline, for the mirror's
/// fetches and token requests alike.
/// </summary>
internal sealed class FirstByteTimeoutHandler(TimeSpan limit, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(limit, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await base.SendAsync(request, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the upstream sent no response headers within {limit.TotalSeconds:0.#} s");
        }
    }
}
