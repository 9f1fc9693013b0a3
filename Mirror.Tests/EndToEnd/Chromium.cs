namespace Mirror.Tests.EndToEnd;

/// <summary>Debian's chromium, headless: a page's DOM after it loaded, or a screenshot of it.</summary>
internal static class Chromium
{
    public static Task<Command> DumpDomAsync(string profile, Uri page) => RunAsync(profile, "--dump-dom", page.ToString());

    public static Task<Command> ScreenshotAsync(string profile, Uri page, string file) =>
        RunAsync(profile, $"--screenshot={file}", "--window-size=1200,1600", page.ToString());

    private static Task<Command> RunAsync(string profile, params string[] arguments) =>
        Command.RunAsync("chromium", ["--headless", "--no-sandbox", "--disable-gpu", $"--user-data-dir={profile}", .. arguments], DockerDaemon.ClosedProxy, TimeSpan.FromSeconds(60));
}
