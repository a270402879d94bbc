using Microsoft.Playwright;

namespace BuildsRs.Tests.Fixtures;

/// <summary>
/// Debian's chromium driven by Playwright (its own browser download is never used), and where the tests leave
/// screenshots for people to look at.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryPaths.Root, "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            // As root in a container: no sandbox of its own; and nothing that reaches out to the internet.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public Task<IBrowserContext> NewContextAsync(Uri site, int width = 1280, ColorScheme colorScheme = ColorScheme.Light) =>
        Browser.NewContextAsync(new()
        {
            BaseURL = site.ToString(),
            AcceptDownloads = true,
            ViewportSize = new() { Width = width, Height = 900 },
            ColorScheme = colorScheme,
        });

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        playwright?.Dispose();
    }
}
