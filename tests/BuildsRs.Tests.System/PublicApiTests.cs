using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Aspire.Hosting.Testing;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.SystemTests;

/// <summary>The public API against the running system, with a crate that was really published and built.</summary>
[Collection(SystemTestGroup.Name)]
public sealed class PublicApiTests(BuildsRsAppFixture fixture) : IAsyncLifetime
{
    private const string Target = "x86_64-unknown-linux-gnu";
    private const string Demo = PublishedCrates.Demo;
    private HttpClient api = null!;

    public async Task InitializeAsync()
    {
        await PublishedCrates.EnsureDemoAsync(fixture);
        api = fixture.App.CreateHttpClient("api");
    }

    public Task DisposeAsync()
    {
        api.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Search_finds_by_prefix_and_by_similarity_ranks_exact_names_first_and_pages()
    {
        var prefix = await GetAsync("/api/v1/crates?q=buildsrs-api", ApiJsonContext.Default.PageCrateSummary);
        var exact = await GetAsync("/api/v1/crates?q=Buildsrs_Api_Demo", ApiJsonContext.Default.PageCrateSummary);
        var typo = await GetAsync("/api/v1/crates?q=hexly", ApiJsonContext.Default.PageCrateSummary);
        var first = await GetAsync("/api/v1/crates?q=c&per_page=2", ApiJsonContext.Default.PageCrateSummary);
        var second = await GetAsync("/api/v1/crates?q=c&per_page=2&page=2", ApiJsonContext.Default.PageCrateSummary);

        var hit = prefix.Items[0];
        Assert.Equal((Demo, "1.0.0", 3), (hit.Name, hit.LatestVersion, hit.Versions));
        Assert.Single(prefix.Items, i => i.Name.StartsWith("buildsrs-api", StringComparison.Ordinal));
        Assert.Equal(new BuildState("1.0.0", VersionState.Succeeded), hit.LatestBuild);
        Assert.Equal(Demo, exact.Items[0].Name);
        Assert.Contains("hexyl", typo.Items.Select(i => i.Name));
        Assert.Equal(2, first.Items.Count);
        Assert.True(first.Total > 2);
        Assert.Empty(first.Items.Select(i => i.Name).Intersect(second.Items.Select(i => i.Name)));
        Assert.All(first.Items.Concat(second.Items), i => Assert.StartsWith("c", i.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_crate_lists_its_versions_newest_first_with_yanked_marked_and_the_state_per_target()
    {
        var crate = await GetAsync($"/api/v1/crates/{Demo}", ApiJsonContext.Default.CrateDetails);

        Assert.Equal(["2.0.0-beta.1", "1.1.0", "1.0.0"], crate.Versions.Select(v => v.Version));
        Assert.Equal([false, true, false], crate.Versions.Select(v => v.Yanked));
        Assert.All(crate.Versions, v => Assert.Equal(PublishedCrates.Targets.Select(t => new TargetState(t, JobState.Succeeded, JobOutcome.Succeeded)), v.Targets));
        Assert.All(crate.Versions, v => Assert.False(v.LibraryOnly));
    }

    [Fact]
    public async Task A_version_has_its_checksum_jobs_and_artifacts_with_working_download_urls()
    {
        var version = await GetAsync($"/api/v1/crates/{Demo}/1.0.0", ApiJsonContext.Default.VersionDetails);

        Assert.Equal([Demo], version.BinaryTargets!);
        Assert.Equal(64, version.Checksum.Length);
        // Each build is built again by the other builder when the queue is otherwise empty: those jobs come last.
        var builds = version.Jobs.Where(j => j.Kind != JobKind.Verify).ToList();
        Assert.Equal([JobKind.Metadata, .. PublishedCrates.Targets.Select(_ => JobKind.Binary)], builds.Select(j => j.Kind));
        Assert.All(builds, j => Assert.True(j.State == JobState.Succeeded && j.DurationSeconds > 0 && j.Builder is not null));
        Assert.Equal(PublishedCrates.Targets, version.Targets.Select(t => t.Target));
        var artifact = Assert.Single(version.Targets.Single(t => t.Target == Target).Artifacts);
        Assert.Equal($"{Demo}-1.0.0-{Target}.tar.gz", artifact.File);
        var bytes = await api.GetByteArrayAsync(new Uri(artifact.DownloadUrl));
        Assert.Equal(artifact.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(artifact.Size, bytes.Length);
    }

    [Fact]
    public async Task Downloads_by_version_by_latest_and_in_the_quickinstall_layout_are_the_same_verified_archive()
    {
        var byVersion = await api.GetByteArrayAsync($"/builds/{Demo}/1.0.0/{Target}");
        var latest = await api.GetByteArrayAsync($"/builds/{Demo}/latest/{Target}");
        var quickinstall = await api.GetByteArrayAsync($"/builds/{Demo}-1.0.0/{Demo}-1.0.0-{Target}.tar.gz");
        var checksum = await api.GetStringAsync($"/builds/{Demo}-1.0.0/{Demo}-1.0.0-{Target}.tar.gz.sha256");
        var checksumByVersion = await api.GetStringAsync($"/builds/{Demo}/latest/{Target}.sha256");
        var prerelease = await api.GetByteArrayAsync($"/builds/{Demo}/2.0.0-beta.1/{Target}");

        Assert.Equal(byVersion, latest);
        Assert.Equal(byVersion, quickinstall);
        Assert.NotEqual(byVersion, prerelease);
        Assert.Equal($"{Convert.ToHexStringLower(SHA256.HashData(byVersion))}  {Demo}-1.0.0-{Target}.tar.gz\n", checksum);
        Assert.Equal(checksum, checksumByVersion);
    }

    [Fact]
    public async Task Head_answers_size_and_checksum_without_a_body_and_unknown_builds_are_404_with_the_reason()
    {
        using var head = await api.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/builds/{Demo}/latest/{Target}"));
        using var yanked = await api.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/builds/{Demo}/1.1.0/{Target}"));
        using var noCrate = await api.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/builds/buildsrs-no-such-crate/latest/{Target}"));
        using var noVersion = await api.GetAsync($"/builds/{Demo}/9.9.9/{Target}");
        using var noTarget = await api.GetAsync($"/builds/{Demo}/latest/aarch64-apple-darwin");

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.True(head.Content.Headers.ContentLength > 0);
        Assert.Equal(64, head.Headers.GetValues("X-Artifact-Sha256").Single().Length);
        // A yanked version stays downloadable by its number; only "latest" passes it over.
        Assert.Equal(HttpStatusCode.OK, yanked.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noCrate.StatusCode);
        Assert.Contains("has no version 9.9.9", await ProblemAsync(noVersion), StringComparison.Ordinal);
        Assert.Contains("has a successful build for aarch64-apple-darwin", await ProblemAsync(noTarget), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Downloads_are_counted_per_artifact_and_day_and_show_in_the_version_and_the_statistics()
    {
        await using var db = await fixture.CreateDbContextAsync();
        var before = await DownloadsAsync();

        // Only this test downloads 1.1.0, so nothing else's count can arrive meanwhile; HEAD does not count.
        for (var i = 0; i < 3; i++)
        {
            await api.GetByteArrayAsync($"/builds/{Demo}-1.1.0/{Demo}-1.1.0-{Target}.tar.gz");
        }
        await api.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/builds/{Demo}/1.1.0/{Target}"));

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (await DownloadsAsync() < before + 3)
        {
            await Task.Delay(500, timeout.Token);
        }
        Assert.Equal(before + 3, await DownloadsAsync());
        var statistics = await GetAsync("/api/v1/statistics?days=1", ApiJsonContext.Default.Statistics);
        Assert.True(statistics.DownloadsPerDay.Single().Downloads >= 3);
        Assert.True(statistics.BuildsPerDay.Single().Outcomes["succeeded"] >= 3 * PublishedCrates.Targets.Count);
        Assert.True(statistics.BuildDurations.Sum(b => b.Builds) >= 3 * PublishedCrates.Targets.Count);
        // Every target the system builds, each with the demo's three versions built and this target's downloads.
        Assert.Equal(PublishedCrates.Targets, statistics.Targets!.Where(t => t.Enabled).Select(t => t.Target));
        Assert.All(statistics.Targets!.Where(t => t.Enabled), t => Assert.True(t.Succeeded >= 3, $"{t.Target}: {t.Succeeded} built"));
        Assert.True(statistics.Targets!.Single(t => t.Target == Target).Downloads >= 3);

        async Task<long> DownloadsAsync() =>
            (await GetAsync($"/api/v1/crates/{Demo}/1.1.0", ApiJsonContext.Default.VersionDetails)).Targets.Single(t => t.Target == Target).Artifacts.Single().Downloads;
    }

    [Fact]
    public async Task A_job_has_its_timings_its_whole_log_and_a_log_stream_that_ends_with_its_state()
    {
        var version = await GetAsync($"/api/v1/crates/{Demo}/1.0.0", ApiJsonContext.Default.VersionDetails);
        var binary = version.Jobs.Single(j => j.Kind == JobKind.Binary && j.Target == Target);

        var job = await GetAsync($"/api/v1/jobs/{binary.Id}", ApiJsonContext.Default.JobDetails);
        var log = await api.GetStringAsync(new Uri(job.LogUrl));
        var stream = await api.GetStringAsync(new Uri(job.LogStreamUrl));
        using var missing = await api.GetAsync("/api/v1/jobs/999999999");

        Assert.Equal((Demo, "1.0.0", JobState.Succeeded), (job.Crate, job.Version, job.Job.State));
        Assert.True(job.Job.StartedAt <= job.Job.FinishedAt);
        Assert.Single(job.Artifacts);
        Assert.Contains($"Compiling {Demo} v1.0.0", log, StringComparison.Ordinal);
        Assert.Contains("event: log", stream, StringComparison.Ordinal);
        Assert.Contains($"Compiling {Demo} v1.0.0", stream, StringComparison.Ordinal);
        Assert.EndsWith("event: end\ndata: succeeded\n\n", stream.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_queue_the_fleet_and_the_targets_are_public_without_secrets()
    {
        var queue = await GetAsync("/api/v1/queue?per_page=5", ApiJsonContext.Default.QueueView);
        var fleet = await api.GetStringAsync("/api/v1/builders");
        var builders = JsonSerializer.Deserialize(fleet, ApiJsonContext.Default.IReadOnlyListFleetBuilder)!;
        var targets = await GetAsync("/api/v1/targets", ApiJsonContext.Default.IReadOnlyListTargetSetting);

        Assert.False(queue.Locked);
        Assert.True(queue.Queued.Items.Count <= 5);
        Assert.Equal(Enumerable.Range(1, queue.Queued.Items.Count).Select(i => (long?)i), queue.Queued.Items.Select(e => e.Position));
        Assert.All(queue.Running, e => Assert.Null(e.Position));
        Assert.Equal(2, builders.Count(b => b.Connected));
        Assert.All(builders.Where(b => b.Connected), b => Assert.Equal(PublishedCrates.Targets, b.Targets.Order(StringComparer.Ordinal)));
        Assert.DoesNotContain("public_key", fleet, StringComparison.Ordinal);
        Assert.DoesNotContain("fingerprint", fleet, StringComparison.Ordinal);
        Assert.All(PublishedCrates.Targets, t => Assert.Contains(new TargetSetting(t, true), targets));
    }

    private async Task<T> GetAsync<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        using var response = await api.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync(type))!;
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("detail").GetString()!;
    }
}
