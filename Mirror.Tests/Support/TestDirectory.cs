namespace Mirror.Tests.Support;

/// <summary>A temp directory owned by one test, removed with everything in it when the test ends.</summary>
internal sealed class TestDirectory : IDisposable
{
    public TestDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mirror-test-" + Guid.NewGuid().ToString("N"));

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        for (var attempt = 1; Directory.Exists(Path); attempt++)
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException ex) when (attempt < 5)
            {
                TestContext.Error.WriteLine($"{ex.Message}; still there: {string.Join(", ", Directory.EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories))}");
                Thread.Sleep(100);
            }
        }
    }
}
