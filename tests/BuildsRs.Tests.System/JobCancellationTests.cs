using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting.Testing;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Model;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.SystemTests;

/// <summary>An operator cancels builds: queued ones never start, a running one is stopped by its builder, and the
/// job's page and log stream end as cancelled.</summary>
[Collection(SystemTestGroup.Name)]
public sealed class JobCancellationTests(BuildsRsAppFixture fixture) : IDisposable
{
    private readonly string work = Path.Combine(Path.GetTempPath(), "buildsrs-tests-cancel-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task A_cancelled_running_build_is_stopped_by_its_builder_and_the_crates_queued_jobs_never_start()
    {
        var registry = new Uri(fixture.App.GetEndpoint("registry", "http"), "index/");
        var cargo = await CargoClient.CreateAsync(Path.Combine(work, "cargo"), registry, fixture.Secret("registry.token"));
        using var http = fixture.App.CreateHttpClient("api");
        await cargo.PublishAsync("buildsrs-slow", "1.0.0", buildRs: "fn main() { std::thread::sleep(std::time::Duration::from_secs(900)); }\n");
        await using var db = await fixture.CreateDbContextAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        Job running;
        while ((running = (await db.Jobs.AsNoTracking().Include(j => j.Builder).FirstOrDefaultAsync(
            j => j.Version.Crate.Name == "buildsrs-slow" && j.Kind == JobKind.Binary && j.State == JobState.Running, timeout.Token))!) is null)
        {
            await Task.Delay(300, timeout.Token);
        }

        try
        {
            // No new work while the builder is watched: once it stops this build, it has no container at all.
            using var locked = await AdminAsync(http, "/api/v1/admin/queue/lock", JsonContent.Create(new QueueLockState(true, "cancellation test"), ApiJsonContext.Default.QueueLockState));
            using var cancelled = await AdminAsync(http, $"/api/v1/admin/jobs/{running.Id}/cancel");
            using var again = await AdminAsync(http, $"/api/v1/admin/jobs/{running.Id}/cancel");
            using var anonymous = await http.PostAsync($"/api/v1/admin/jobs/{running.Id}/cancel", null);
            using var crate = await AdminAsync(http, "/api/v1/admin/crates/buildsrs-slow/cancel");
            var crateResult = await crate.Content.ReadFromJsonAsync(ApiJsonContext.Default.CancelResponse);

            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal(HttpStatusCode.OK, crate.StatusCode);
            var stopped = false;
            for (var i = 0; i < 60 && !stopped; i++)
            {
                var (_, containers, _) = await Processes.RunAsync("docker", "ps", "-q", "--filter", $"label=org.buildsrs.builder={running.Builder!.Fingerprint}");
                stopped = containers.Trim().Length == 0;
                await Task.Delay(1000, timeout.Token);
            }
            Assert.True(stopped, $"builder {running.Builder!.Name} still runs the cancelled build");

            var states = await db.Jobs.AsNoTracking().Where(j => j.Version.Crate.Name == "buildsrs-slow" && j.Kind == JobKind.Binary)
                .Select(j => new { j.Id, j.State, j.Error }).ToListAsync(timeout.Token);
            var job = states.Single(j => j.Id == running.Id);
            Assert.Equal((JobState.Cancelled, "an operator cancelled it"), (job.State, job.Error));
            Assert.Equal(states.Count(j => j.Id != running.Id && j.State == JobState.Cancelled), crateResult!.Cancelled);
            Assert.DoesNotContain(states, j => j.State == JobState.Queued);

            var view = await http.GetFromJsonAsync($"/api/v1/jobs/{running.Id}", ApiJsonContext.Default.JobDetails, timeout.Token);
            Assert.Equal(JobState.Cancelled, view!.Job.State);
            var stream = await http.GetStringAsync($"/api/v1/jobs/{running.Id}/log/stream", timeout.Token);
            Assert.EndsWith("event: end\ndata: cancelled\n\n", stream.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }
        finally
        {
            using var unlocked = await AdminAsync(http, "/api/v1/admin/queue/unlock");
            // The other target's build of this crate, if one runs, need not sleep on.
            foreach (var id in await db.Jobs.Where(j => j.Version.Crate.Name == "buildsrs-slow" && j.State == JobState.Running).Select(j => j.Id).ToListAsync())
            {
                using var _ = await AdminAsync(http, $"/api/v1/admin/jobs/{id}/cancel");
            }
        }
    }

    private async Task<HttpResponseMessage> AdminAsync(HttpClient http, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = new("Bearer", fixture.Secret("admin.token"));
        return await http.SendAsync(request);
    }
}
