using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mirror.Tests.Support;

/// <summary>Keeps every log line of the gateway under test, so tests can assert what was (not) logged.</summary>
internal sealed class TestLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    /// <summary>
    /// Waits until a line contains <paramref name="text"/>; fails the test when none does within
    /// <paramref name="timeout"/>. <paramref name="after"/>, when given, is what makes the line appear
    /// (a request that makes the mirror look at a file again), repeated until it does.
    /// </summary>
    public Task WaitForAsync(string text, TimeSpan timeout, Func<Task<HttpResponseMessage>>? after = null) =>
        Eventually.TrueAsync(
            async () =>
            {
                if (Contains(text))
                {
                    return true;
                }

                if (after is not null)
                {
                    (await after()).Dispose();
                }

                return false;
            },
            $"a log line contains '{text}'",
            timeout,
            seen: () => "the lines:\n" + string.Join('\n', _lines));

    public void Dispose()
    {
    }

    private bool Contains(string text) => _lines.Any(line => line.Contains(text, StringComparison.Ordinal));

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception}");
    }
}
