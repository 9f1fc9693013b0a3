namespace Mirror.Tests.Support;

/// <summary>A temp directory owned by one test, removed with everything in it when the test ends.</summary>
internal sealed class TestDirectory : IDisposable
{
    private bool _reported;

    public TestDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mirror-test-" + Guid.NewGuid().ToString("N"));

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>
    /// Removes the directory once nothing writes into it any more: a host that was just stopped may still
    /// write its last metadata, or a fill it cancelled remove its temp file. Disposal is synchronous
    /// (<c>using</c>, tear-downs), so the wait runs on the pool and this thread blocks until it ends.
    /// </summary>
    public void Dispose() =>
        Task.Run(() => Eventually.TrueAsync(
            TryRemove,
            $"{Path} can be removed: nothing writes into it any more",
            TimeSpan.FromSeconds(10),
            seen: () => $"still there: {Remaining()}")).GetAwaiter().GetResult();

    private bool TryRemove()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }

            return true;
        }
        catch (IOException ex)
        {
            // Said once, so a test that leaves something writing shows in its output even when the wait succeeds.
            if (!_reported)
            {
                _reported = true;
                TestContext.Error.WriteLine($"{ex.Message}; still there: {Remaining()}");
            }

            return false;
        }
    }

    private string Remaining()
    {
        try
        {
            return Directory.Exists(Path) ? string.Join(", ", Directory.EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories)) : "nothing";
        }
        catch (IOException ex)
        {
            // The writer is still at it: entries come and go while they are listed.
            return ex.Message;
        }
    }
}
