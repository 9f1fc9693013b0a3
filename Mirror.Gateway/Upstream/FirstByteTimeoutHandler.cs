using Microsoft.Extensions.Options;
using Mirror.Cache.Upstream;

namespace Mirror.Gateway.Upstream;

/// <summary>
/// Bounds every upstream request, challenge and token fetch included, to <c>mirror.timeouts.firstbyte</c>
/// from sending it to its response headers; past it the request fails with a <see cref="TimeoutException"/>,
/// a transport fault like any other. The outermost handler of the upstream pipeline, for the mirror's own
/// fetches and the requests YARP forwards alike.
/// </summary>
internal sealed class FirstByteTimeoutHandler(IOptions<TimeoutOptions> timeouts, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var limit = timeouts.Value.FirstByte;
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
