using System.Net;
using System.Text.Json;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Model;
using BuildsRs.Tests.ApiTests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.ApiTests;

/// <summary>The public API describes itself, and answers a malformed or hostile request with a clear problem.</summary>
[Collection(ApiTestGroup.Name)]
public sealed class PublicApiRequestsTests(ApiFixture fixture) : IAsyncLifetime
{
    private HttpClient api = null!;

    /// <summary>A crate with one version, 1.0.0, so that only the request decides the answer.</summary>
    public async Task InitializeAsync()
    {
        api = fixture.CreateClient();
        await using var db = await fixture.CreateDbContextAsync();
        if (!await db.Crates.AnyAsync(c => c.Name == "buildsrs-api-demo"))
        {
            var version = new CrateVersion { Crate = new Crate { Name = "buildsrs-api-demo" }, Version = "1.0.0", Checksum = new string('a', 64) };
            version.Jobs.Add(new Job { Kind = JobKind.Metadata, State = JobState.Succeeded, Outcome = JobOutcome.Succeeded });
            db.Versions.Add(version);
            await db.SaveChangesAsync();
        }
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_api_describes_itself_with_an_openapi_document()
    {
        using var document = JsonDocument.Parse(await api.GetStringAsync("/openapi/v1.json"));

        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/crates", paths);
        Assert.Contains("/api/v1/crates/{crate}/{version}", paths);
        Assert.Contains("/builds/{crate}/{version}/{target}", paths);
        Assert.Contains("/api/v1/jobs/{jobId}/log/stream", paths);
    }

    public static TheoryData<string, HttpStatusCode> HostileRequests => new()
    {
        { "/api/v1/crates/..%2F..%2Fetc%2Fpasswd", HttpStatusCode.BadRequest },
        { "/api/v1/crates/" + new string('a', 300), HttpStatusCode.BadRequest },
        { "/api/v1/crates/x'%3B%20DROP%20TABLE%20crates%3B--", HttpStatusCode.BadRequest },
        { "/api/v1/crates/buildsrs-api-demo/1.0", HttpStatusCode.BadRequest },
        { "/api/v1/crates/buildsrs-api-demo/1.0.0%27%20OR%201%3D1", HttpStatusCode.BadRequest },
        { "/api/v1/crates/buildsrs-no-such-crate", HttpStatusCode.NotFound },
        { "/api/v1/crates/buildsrs-api-demo/3.0.0", HttpStatusCode.NotFound },
        { "/api/v1/crates?q=%25%27--", HttpStatusCode.BadRequest },
        { "/api/v1/crates?q=", HttpStatusCode.BadRequest },
        { "/api/v1/crates?q=a&per_page=1000", HttpStatusCode.BadRequest },
        { "/api/v1/crates?q=a&page=0", HttpStatusCode.BadRequest },
        { "/api/v1/queue?page=-1", HttpStatusCode.BadRequest },
        { "/api/v1/statistics?days=1000", HttpStatusCode.BadRequest },
        { "/api/v1/jobs/12abc", HttpStatusCode.NotFound },
        { "/builds/buildsrs-api-demo/latest/..%2F..%2Fetc%2Fpasswd", HttpStatusCode.BadRequest },
        { "/builds/buildsrs-api-demo/latest/x86_64-UNKNOWN-linux-gnu", HttpStatusCode.BadRequest },
        { "/builds/buildsrs-api-demo/latest/" + new string('x', 200), HttpStatusCode.BadRequest },
        { "/builds/buildsrs-api-demo/latest/wasm32-unknown-unknown", HttpStatusCode.NotFound },
        { "/builds/buildsrs-api-demo-1.0.0/other-1.0.0-x86_64-unknown-linux-gnu.tar.gz", HttpStatusCode.BadRequest },
        { "/builds/buildsrs-api-demo-1.0.0/buildsrs-api-demo-1.0.0-x86_64-unknown-linux-gnu.zip", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(HostileRequests))]
    public async Task Hostile_or_malformed_requests_get_a_clear_problem_and_change_nothing(string path, HttpStatusCode expected)
    {
        await using var db = await fixture.CreateDbContextAsync();
        var crates = await db.Crates.CountAsync();

        using var response = await api.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(crates, await db.Crates.CountAsync());
    }
}
