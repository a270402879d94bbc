using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Model;
using BuildsRs.Tests.Fixtures;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace BuildsRs.Tests.SystemTests;

/// <summary>The website in Debian's chromium against the whole running system, as a visitor uses it.</summary>
[Collection(SystemTestGroup.Name)]
public sealed class WebsiteTests(BuildsRsAppFixture fixture, BrowserFixture browser) : IClassFixture<BrowserFixture>, IDisposable
{
    private const string Target = "x86_64-unknown-linux-gnu";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);
    private readonly string work = Path.Combine(Path.GetTempPath(), "buildsrs-tests-website-" + Guid.NewGuid().ToString("N"));

    private Uri Site => fixture.App.GetEndpoint("web", "http");

    public void Dispose()
    {
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task A_visitor_finds_a_built_crate_with_the_keyboard_downloads_it_and_the_hash_matches()
    {
        await PublishedCrates.EnsureDemoAsync(fixture);
        await using var context = await browser.NewContextAsync(Site);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/");
        await page.Locator(".search-box[data-interactive]").WaitForAsync();
        await BrowserFixture.ScreenshotAsync(page, "home");
        await page.Locator(".search-box input").FocusAsync();
        await page.Keyboard.TypeAsync("buildsrs-api");
        // Suggestions come 150 ms after the last key: once the search for the whole text has landed, Enter takes the
        // highlighted one.
        await page.Locator(".search-box[data-suggested-for='buildsrs-api']").WaitForAsync();
        var highlighted = page.Locator(".mud-popover-open .mud-selected-item");
        await Expect(highlighted).ToContainTextAsync(PublishedCrates.Demo);
        await BrowserFixture.ScreenshotAsync(page, "search-suggestions");
        await page.Keyboard.PressAsync("Enter");

        // The island navigates in place (Blazor's enhanced navigation): the address is polled, not awaited as a page load.
        await Expect(page).ToHaveURLAsync(new Regex($"/crates/{PublishedCrates.Demo}$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync(PublishedCrates.Demo);
        await Expect(page.Locator("#downloads")).ToHaveTextAsync("Downloads of 1.0.0");
        await Expect(page.Locator($"tr.yanked:has-text('{PublishedCrates.Yanked}') >> text=yanked")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "crate");

        var artifact = page.Locator($".artifact[data-target='{Target}']");
        var shown = await artifact.Locator(".sha").InnerTextAsync();
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await artifact.GetByRole(AriaRole.Button, new() { Name = "Copy curl command" }).ClickAsync();
        await Expect(artifact.Locator(".copy-status").First).ToHaveTextAsync("Copied");
        Assert.Equal(await artifact.Locator(".copy-line code").First.InnerTextAsync(), await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        var download = await page.RunAndWaitForDownloadAsync(() => artifact.GetByRole(AriaRole.Link, new() { Name = "Download" }).ClickAsync());
        Directory.CreateDirectory(work);
        var file = Path.Combine(work, download.SuggestedFilename);
        await download.SaveAsAsync(file);

        Assert.Equal($"{PublishedCrates.Demo}-1.0.0-{Target}.tar.gz", download.SuggestedFilename);
        var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(File.OpenRead(file)));
        Assert.Equal(shown, sha256);
        await using var db = await fixture.CreateDbContextAsync();
        Assert.Equal(sha256, await db.Artifacts.Where(a => a.Job.Version.Crate.Name == PublishedCrates.Demo && a.Job.Version.Version == "1.0.0" && a.Job.Target == Target)
            .Select(a => a.Sha256).SingleAsync());
    }

    [Fact]
    public async Task A_running_build_shows_new_log_lines_without_a_reload_and_its_result_when_it_ends()
    {
        const string crate = "buildsrs-live-log";
        using var timeout = new CancellationTokenSource(Timeout);
        var registry = new Uri(fixture.App.GetEndpoint("registry", "http"), "index/");
        var cargo = await CargoClient.CreateAsync(Path.Combine(work, "cargo"), registry, fixture.Secret("registry.token"));
        // Longer than any request timeout the website has: the stream must outlast them.
        await cargo.PublishAsync(crate, "1.0.0", manifest: CargoClient.BuildOnlyFor(RepositoryPaths.HostTarget),
            buildRs: "fn main() { std::thread::sleep(std::time::Duration::from_secs(40)); }\n");
        await using var db = await fixture.CreateDbContextAsync();
        long jobId;
        while ((jobId = await db.Jobs.Where(j => j.Version.Crate.Name == crate && j.Kind == JobKind.Binary && j.State == JobState.Running
                   && db.JobLogs.Any(l => l.JobId == j.Id && l.Text.Contains("Compiling " + crate))).Select(j => j.Id).FirstOrDefaultAsync(timeout.Token)) == 0)
        {
            await Task.Delay(250, timeout.Token);
        }

        await using var context = await browser.NewContextAsync(Site);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/jobs/{jobId}");
        var log = page.Locator("pre.log[data-follow]");
        await log.WaitForAsync(new() { Timeout = 90_000 });
        await page.EvaluateAsync("() => window.sameDocument = true");
        Assert.Contains("Compiling " + crate, await log.InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("Installed", await log.InnerTextAsync(), StringComparison.Ordinal);
        await Expect(page.Locator(".job-header .state-chip")).ToHaveAttributeAsync("data-state", "running");
        await BrowserFixture.ScreenshotAsync(page, "build-running");

        await Expect(page.Locator("pre.log")).ToContainTextAsync("Installed", new() { Timeout = (float)Timeout.TotalMilliseconds });
        await Expect(page.Locator(".job-header .state-chip")).ToHaveAttributeAsync("data-state", "succeeded");
        await Expect(page.Locator(".job-header .state-chip")).ToHaveClassAsync(new Regex("mud-chip-color-success"));
        await Expect(page.Locator(".artifact")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page was reloaded");
        await BrowserFixture.ScreenshotAsync(page, "build-finished");
    }

    [Theory]
    [InlineData("/crates/no-such-crate-here")]
    [InlineData("/crates/hexyl/99.0.0")]
    [InlineData("/jobs/987654321")]
    [InlineData("/no/such/page")]
    public async Task An_unknown_address_is_a_real_404_page_with_a_search_box(string path)
    {
        await using var context = await browser.NewContextAsync(Site);
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(path);

        Assert.Equal(404, response!.Status);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Not found");
        await page.Locator(".search-box[data-interactive] input").WaitForAsync();
        if (path.StartsWith("/crates/no-such", StringComparison.Ordinal))
        {
            await BrowserFixture.ScreenshotAsync(page, "not-found");
        }
    }

    [Fact]
    public async Task The_main_pages_render_accessibly_in_both_colour_schemes_and_at_phone_width()
    {
        await PublishedCrates.EnsureDemoAsync(fixture);
        await using var db = await fixture.CreateDbContextAsync();
        var jobId = await db.Jobs.Where(j => j.Version.Crate.Name == PublishedCrates.Demo && j.Version.Version == "1.0.0" && j.Kind == JobKind.Binary)
            .Select(j => j.Id).FirstAsync();
        await using var context = await browser.NewContextAsync(Site);
        var page = await context.NewPageAsync();
        foreach (var (path, name, heading) in new[]
        {
            ("/", "home", "Prebuilt binaries of Rust crates"),
            ($"/search?q=buildsrs", "search", "Search crates"),
            ($"/crates/{PublishedCrates.Demo}", "crate", PublishedCrates.Demo),
            ($"/crates/{PublishedCrates.Demo}/1.0.0", "version", $"{PublishedCrates.Demo} 1.0.0"),
            ($"/jobs/{jobId}", "build", $"Build #{jobId}"),
            ("/queue", "queue", "Queue"),
            ("/builders", "builders", "Builders"),
            ("/statistics", "statistics", "Statistics"),
            ("/about", "about", "How builds are made"),
        })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(200, response!.Status);
            await Expect(page.Locator("h1")).ToHaveTextAsync(heading);
            await BrowserFixture.ScreenshotAsync(page, name);
            await AssertAccessibleAsync(page);
            if (name == "builders")
            {
                Assert.True(await page.Locator(".builder").CountAsync() >= 2, "the local builders are missing from the fleet");
            }
            if (name == "statistics")
            {
                Assert.Equal(PublishedCrates.Targets, await page.Locator(".targets tr[data-target]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.target)"));
            }
            if (name == "about")
            {
                Assert.Equal(PublishedCrates.Targets, (await page.Locator("ul.built-targets li").AllInnerTextsAsync()).Select(t => t.Trim()));
            }
        }

        await using var phone = await browser.NewContextAsync(Site, width: 375);
        var small = await phone.NewPageAsync();
        await small.GotoAsync($"/crates/{PublishedCrates.Demo}");
        Assert.True(await small.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 375"), "the crate page scrolls sideways at 375 px");
        await BrowserFixture.ScreenshotAsync(small, "crate-375px");

        await using var dark = await browser.NewContextAsync(Site, colorScheme: ColorScheme.Dark);
        var night = await dark.NewPageAsync();
        foreach (var (path, name) in new[] { ("/", "home-dark"), ($"/crates/{PublishedCrates.Demo}", "crate-dark"), ($"/jobs/{jobId}", "build-dark") })
        {
            await night.GotoAsync(path);
            Assert.NotEqual("rgb(255, 255, 255)", await night.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
            await BrowserFixture.ScreenshotAsync(night, name);
            await AssertAccessibleAsync(night);
        }
    }

    /// <summary>axe-core's checks (contrast, names, labels, landmarks): nothing serious or critical.</summary>
    private static async Task AssertAccessibleAsync(IPage page)
    {
        var result = await page.RunAxe();
        var problems = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        Assert.True(problems.Count == 0, $"{page.Url}:\n{string.Join("\n", problems)}");
    }
}
