using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Mirror.Tests.Support;

/// <summary>
/// The suite's one way to wait: for a fact that the code under test brings about (a file appears, a gauge
/// drops, a fill leaves, a process listens), checking it often; when the fact does not come within the
/// timeout, or can no longer come (the process that was to bring it exited), the test fails saying which
/// fact, and what was seen meanwhile.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    /// <param name="condition">Checks the fact; it may also act to bring it about (advance a fake clock, send a request).</param>
    /// <param name="fact">The fact waited for, as the failure names it.</param>
    /// <param name="timeout">How long to wait; 30 s unless given.</param>
    /// <param name="interval">How long between checks; 20 ms unless given (longer for checks that start a process).</param>
    /// <param name="hopeless">Why the fact can no longer come (a process exited), or <c>null</c>: then the wait ends at once.</param>
    /// <param name="seen">What the failure shows besides the fact (a process's output, the log lines).</param>
    public static Task TrueAsync(Func<bool> condition, string fact, TimeSpan? timeout = null, TimeSpan? interval = null, Func<string?>? hopeless = null, Func<string>? seen = null) =>
        TrueAsync(() => Task.FromResult(condition()), fact, timeout, interval, hopeless, seen);

    /// <inheritdoc cref="TrueAsync(Func{bool}, string, TimeSpan?, TimeSpan?, Func{string?}?, Func{string}?)"/>
    public static Task TrueAsync(Func<Task<bool>> condition, string fact, TimeSpan? timeout = null, TimeSpan? interval = null, Func<string?>? hopeless = null, Func<string>? seen = null) =>
        ValueAsync(condition, holds => holds, fact, timeout, interval, hopeless, seen);

    /// <summary>
    /// Observes a value until <paramref name="holds"/> says the fact is there, and returns that value. Inside
    /// <c>Assert.Multiple</c>, where a failure is recorded and the test goes on, it returns the last value seen.
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> observe, Func<T, bool> holds, string fact, TimeSpan? timeout = null, TimeSpan? interval = null, Func<string?>? hopeless = null, Func<string>? seen = null)
    {
        var patience = timeout ?? DefaultTimeout;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var value = await observe();
            if (holds(value))
            {
                return value;
            }

            var why = hopeless?.Invoke();
            if (why is not null || waited.Elapsed > patience)
            {
                var failure = why is null
                    ? $"waited {patience} for this, and it did not happen: {fact}"
                    : $"stopped waiting, since {why}, for this: {fact}";
                Assert.Fail(seen is null ? failure : $"{failure}\n{seen()}");
                return value;
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }

    /// <summary>
    /// Waits for <paramref name="pending"/> to complete while moving <paramref name="clock"/> on by
    /// <paramref name="step"/> at each check, so the timers the code under test sets fire however late it sets them.
    /// </summary>
    public static async Task CompletesAsync(Task pending, FakeTimeProvider clock, TimeSpan step, string fact)
    {
        await TrueAsync(() => pending.IsCompleted || Advanced(clock, step), fact);
        await pending;
    }

    /// <inheritdoc cref="CompletesAsync(Task, FakeTimeProvider, TimeSpan, string)"/>
    public static async Task<T> CompletesAsync<T>(Task<T> pending, FakeTimeProvider clock, TimeSpan step, string fact)
    {
        await CompletesAsync((Task)pending, clock, step, fact);
        return await pending;
    }

    /// <summary>Moves the clock on; false, since the fact was not there before it moved.</summary>
    private static bool Advanced(FakeTimeProvider clock, TimeSpan step)
    {
        clock.Advance(step);
        return false;
    }
}
