namespace Mirror.Cache.Upstream;

/// <summary>
/// An upstream body read as values: a read that the transport breaks off (a reset, a short body, an
/// <c>HttpRequestException</c>) or that waits longer than the idle timeout is a <see cref="BodyRead"/> with a
/// fault, which a fill answers by resuming; only the caller's own cancellation throws.
/// </summary>
public sealed class UpstreamBody(Stream stream, TimeSpan idleTimeout, TimeProvider time) : IDisposable
{
    public async ValueTask<BodyRead> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var idle = new CancellationTokenSource(idleTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        try
        {
            return BodyRead.Of(await stream.ReadAsync(buffer, linked.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return BodyRead.Broken($"the upstream sent nothing for {idleTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return BodyRead.Broken(ex.Message);
        }
    }

    public void Dispose() => stream.Dispose();
}
