using System.Net;
using Aspire.Hosting.Testing;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Model;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.SystemTests;

/// <summary>
/// Answers are reused for half a minute, but never past a change: an installer that asked for <c>latest</c> while
/// the build ran (and was told 404, reused) gets the archive as soon as it is stored, and a yank takes it back at once.
/// </summary>
[Collection(SystemTestGroup.Name)]
public sealed class FreshAnswersTests(BuildsRsAppFixture fixture) : IDisposable
{
    /// <summary>Far below the 30 s an answer is reused for: what it takes a notification to reach the Api.</summary>
    private static readonly TimeSpan Evicted = TimeSpan.FromSeconds(3);

    private readonly string work = Path.Combine(Path.GetTempPath(), "buildsrs-tests-fresh-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task Latest_serves_a_build_as_soon_as_it_is_stored_and_stops_at_once_when_the_version_is_yanked()
    {
        var registry = new Uri(fixture.App.GetEndpoint("registry", "http"), "index/");
        var cargo = await CargoClient.CreateAsync(Path.Combine(work, "cargo"), registry, fixture.Secret("registry.token"));
        using var api = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.App.GetEndpoint("api", "http") };
        var latest = $"/builds/buildsrs-fresh/latest/{RepositoryPaths.HostTarget}";

        await cargo.PublishAsync("buildsrs-fresh", "1.0.0");
        await using var db = await fixture.CreateDbContextAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var askedWhileBuilding = 0;
        while (!await db.Jobs.AnyAsync(j => j.Version.Crate.Name == "buildsrs-fresh" && j.Target == RepositoryPaths.HostTarget && j.State == JobState.Succeeded, timeout.Token))
        {
            // Each of these 404s is reused by the Api until something evicts it.
            using var missing = await api.GetAsync(latest, timeout.Token);
            if (missing.StatusCode == HttpStatusCode.Found)
            {
                // The build was recorded between the look at its job and this question.
                break;
            }
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            using var page = await api.GetAsync("/api/v1/crates/buildsrs-fresh", timeout.Token);
            askedWhileBuilding++;
            await Task.Delay(200, timeout.Token);
        }

        var served = await WithinAsync(Evicted, async () => (await api.GetAsync(latest)).StatusCode == HttpStatusCode.Found);
        var pageShowsIt = await WithinAsync(Evicted, async () => (await api.GetStringAsync("/api/v1/crates/buildsrs-fresh")).Contains("\"succeeded\"", StringComparison.Ordinal));

        Assert.True(askedWhileBuilding > 0, "latest was asked for while the build ran");
        Assert.True(served, $"latest still answered 404 {Evicted.TotalSeconds} s after the build was stored");
        Assert.True(pageShowsIt, "the crate's page still showed no finished build");

        await cargo.RunAsync(work, "yank", "buildsrs-fresh", "--version", "1.0.0", "--registry", "local");
        while (!await db.Versions.AnyAsync(v => v.Crate.Name == "buildsrs-fresh" && v.Yanked, timeout.Token))
        {
            using var stillServed = await api.GetAsync(latest, timeout.Token);
            await Task.Delay(200, timeout.Token);
        }
        var gone = await WithinAsync(Evicted, async () => (await api.GetAsync(latest)).StatusCode == HttpStatusCode.NotFound);
        Assert.True(gone, "a yanked version was still latest");
    }

    private static async Task<bool> WithinAsync(TimeSpan limit, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + limit;
        do
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        return false;
    }
}
