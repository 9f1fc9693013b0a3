namespace Mirror.Tests.Support;

/// <summary>
/// Waits for a fact that the code under test brings about (a file appears, a gauge drops, a fill leaves),
/// checking it often; when the fact does not come within the timeout, the test fails saying which fact.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static Task TrueAsync(Func<bool> condition, string fact, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), fact, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, string fact, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"waited {timeout ?? DefaultTimeout} for this, and it did not happen: {fact}");
            }

            await Task.Delay(20);
        }
    }
}
