using System.Net;
using System.Net.Http.Json;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Model;
using BuildsRs.Tests.ApiTests.Fixtures;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.ApiTests;

/// <summary>An operator asks for a version or a whole crate to be built again, at a priority of their choosing.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class RebuildTests(ApiFixture fixture)
{
    // Below the registry's backlog, so the builders are not kept from the other tests' work.
    private const int Priority = -100;
    private const string Crate = "buildsrs-rebuild-demo";

    [Fact]
    public async Task A_rebuild_queues_new_attempts_once_and_leaves_history_and_yanked_versions_alone()
    {
        await SeedAsync();
        using var http = fixture.CreateClient();

        var version = await RebuildAsync(http, $"{Crate}/1.0.0/rebuild");
        var again = await RebuildAsync(http, $"{Crate}/1.0.0/rebuild");
        var crate = await RebuildAsync(http, "Buildsrs_Rebuild_Demo/rebuild");

        Assert.Equal(HttpStatusCode.Accepted, version.StatusCode);
        Assert.Equal(1, (await version.Content.ReadFromJsonAsync(ApiJsonContext.Default.RebuildResponse))!.Queued);
        Assert.Equal(0, (await again.Content.ReadFromJsonAsync(ApiJsonContext.Default.RebuildResponse))!.Queued);
        // 1.0.0 already has its rebuild queued, 1.1.0 is yanked: only 1.2.0 is new.
        Assert.Equal(1, (await crate.Content.ReadFromJsonAsync(ApiJsonContext.Default.RebuildResponse))!.Queued);
        await using var db = await fixture.CreateDbContextAsync();
        var jobs = await db.Jobs.Where(j => j.Version.Crate.Name == Crate).OrderBy(j => j.Version.Version).ThenBy(j => j.Attempt)
            .Select(j => new { j.Version.Version, j.Attempt, j.Priority, j.State }).ToListAsync();
        // The new attempts are real jobs: an idle builder may take them at once, so their state is not checked here.
        Assert.Equal([("1.0.0", 0, 0), ("1.0.0", 1, Priority), ("1.1.0", 0, 0), ("1.2.0", 0, 0), ("1.2.0", 1, Priority)],
            jobs.Select(j => (j.Version, j.Attempt, j.Priority)));
        Assert.All(jobs.Where(j => j.Attempt == 0), j => Assert.Equal(JobState.Succeeded, j.State));
    }

    [Theory]
    [InlineData("not%20a%20name/rebuild", HttpStatusCode.BadRequest)]
    [InlineData("buildsrs-rebuild-demo/1.0/rebuild", HttpStatusCode.BadRequest)]
    [InlineData("buildsrs-never-published/rebuild", HttpStatusCode.NotFound)]
    [InlineData("buildsrs-rebuild-demo/9.9.9/rebuild", HttpStatusCode.NotFound)]
    public async Task Bad_or_unknown_names_and_versions_are_refused_clearly(string path, HttpStatusCode expected)
    {
        await SeedAsync();
        using var http = fixture.CreateClient();

        using var response = await RebuildAsync(http, path);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Only_an_admin_can_ask_for_a_rebuild()
    {
        await SeedAsync();
        using var http = fixture.CreateClient();

        using var anonymous = await http.PostAsJsonAsync($"/api/v1/admin/crates/{Crate}/rebuild", new { priority = Priority });
        using var wrong = await RebuildAsync(http, $"{Crate}/rebuild", token: "not-the-admin-token");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    private async Task<HttpResponseMessage> RebuildAsync(HttpClient http, string path, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/crates/{path}") { Content = JsonContent.Create(new { priority = Priority }) };
        request.Headers.Authorization = new("Bearer", token ?? fixture.Secret("admin.token"));
        return await http.SendAsync(request);
    }

    /// <summary>A crate whose versions were built once already: 1.0.0, a yanked 1.1.0 and 1.2.0.</summary>
    private async Task SeedAsync()
    {
        await using var db = await fixture.CreateDbContextAsync();
        if (await db.Crates.AnyAsync(c => c.Name == Crate))
        {
            return;
        }
        var crate = new Crate { Name = Crate };
        foreach (var (number, yanked) in new[] { ("1.0.0", false), ("1.1.0", true), ("1.2.0", false) })
        {
            var version = new CrateVersion { Crate = crate, Version = number, Checksum = new string('0', 64), Yanked = yanked };
            version.Jobs.Add(new Job { Kind = JobKind.Metadata, State = JobState.Succeeded, Outcome = JobOutcome.Succeeded });
            db.Versions.Add(version);
        }
        await db.SaveChangesAsync();
    }
}
