namespace Mirror.Tests.Support;

/// <summary>
/// A blob the mirror is storing: a fill lets its clients finish once the blob verified and renames it into
/// place just after (past an fsync), so a test that looks right after its download waits a moment for it.
/// </summary>
internal static class StoredFile
{
    public static bool Exists(string path)
    {
        for (var i = 0; i < 200 && !File.Exists(path); i++)
        {
            Thread.Sleep(25);
        }

        return File.Exists(path);
    }

    public static byte[] Read(string path) => Exists(path) ? File.ReadAllBytes(path) : [];
}
