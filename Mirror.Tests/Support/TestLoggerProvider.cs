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
    public async Task WaitForAsync(string text, TimeSpan timeout, Func<Task<HttpResponseMessage>>? after = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_lines.Any(line => line.Contains(text, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"no log line contains '{text}' within {timeout}:\n{string.Join('\n', _lines)}");
            }

            if (after is not null)
            {
                (await after()).Dispose();
            }

            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)} {exception}");
    }
}
