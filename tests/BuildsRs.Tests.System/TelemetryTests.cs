using Aspire.Hosting.Testing;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.SystemTests;

/// <summary>
/// What an operator sees of one build: a single trace from the sync pass that found the version to the stored
/// artifact, with spans of registry-sync, the Api and the builder, and the figures of the queue, the builds, the
/// uploads, the downloads, the fleet and the sync, each with data points.
/// </summary>
[Collection(SystemTestGroup.Name)]
public sealed class TelemetryTests(BuildsRsAppFixture fixture) : IDisposable
{
    private const string Crate = "buildsrs-traced";
    private readonly string work = Path.Combine(Path.GetTempPath(), "buildsrs-tests-telemetry-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(work))
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task A_published_crate_is_one_trace_from_the_sync_pass_to_the_stored_artifact_and_every_figure_has_data()
    {
        var registry = new Uri(fixture.App.GetEndpoint("registry", "http"), "index/");
        var cargo = await CargoClient.CreateAsync(work, registry, fixture.Secret("registry.token"));
        await cargo.PublishAsync(Crate, "1.0.0");
        await using var db = await fixture.CreateDbContextAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var jobs = db.Jobs.Where(j => j.Version.Crate.Name == Crate);
        // Verify jobs come last of all (the lowest priority): the build's own jobs are what this test follows.
        while (!await jobs.AnyAsync(j => j.Kind == JobKind.Binary, timeout.Token)
            || await jobs.AnyAsync(j => j.Kind != JobKind.Verify && (j.State == JobState.Queued || j.State == JobState.Running), timeout.Token))
        {
            await Task.Delay(500, timeout.Token);
        }
        using var api = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.App.GetEndpoint("api", "http") };
        using var download = await api.GetAsync($"/builds/{Crate}/1.0.0/{RepositoryPaths.HostTarget}", timeout.Token);

        var rows = await jobs.Where(j => j.Kind != JobKind.Verify).Select(j => new { j.Kind, j.State, j.TraceParent }).ToListAsync(timeout.Token);
        Assert.All(rows, row => Assert.Equal(JobState.Succeeded, row.State));
        var traceId = rows.Single(r => r.Kind == JobKind.Metadata).TraceParent!.Split('-')[1];
        Assert.All(rows, row => Assert.Equal(traceId, row.TraceParent!.Split('-')[1]));

        string[] expected =
        [
            "registry-sync: Sync pass", "registry-sync: Apply changes",
            "api: Claim job", "api: Record result", "api: Verify upload", "api: Store artifact",
            "builder: Run metadata job", "builder: Run binary job", "builder: download", "builder: checksum", "builder: unpack",
            "builder: metadata", "builder: fetch", "builder: build", "builder: package", "builder: upload",
        ];
        // A span can arrive in an earlier batch than its parent: the trace is read again until every expected span is
        // in it and every span's parent has arrived.
        HashSet<string> Roots() => fixture.Telemetry.Spans.Where(s => s.TraceId == traceId)
            .Where(s => s.ParentSpanId is null || !fixture.Telemetry.Spans.Any(p => p.TraceId == traceId && p.SpanId == s.ParentSpanId))
            .Select(s => $"root {Service(s.Service)}: {s.Name}").ToHashSet();
        var seen = await EventuallyAsync(() =>
            [.. fixture.Telemetry.Spans.Where(s => s.TraceId == traceId).Select(s => $"{Service(s.Service)}: {s.Name}"), .. Roots()],
            names => expected.All(names.Contains) && names.Count(n => n.StartsWith("root ", StringComparison.Ordinal)) == 1);
        Assert.True(expected.All(seen.Contains),
            $"missing from trace {traceId}: {string.Join(", ", expected.Except(seen))}; it holds {string.Join(", ", seen.Order())}");
        Assert.Equal(["root registry-sync: Sync pass"], seen.Where(n => n.StartsWith("root ", StringComparison.Ordinal)));

        string[] figures =
        [
            "buildsrs.queue.jobs", "buildsrs.jobs.claims", "buildsrs.jobs.finished", "buildsrs.jobs.duration",
            "buildsrs.builder.step.duration", "buildsrs.builder.job.duration", "buildsrs.uploads.bytes", "buildsrs.downloads",
            "buildsrs.builders.connected", "buildsrs.sync.lag",
        ];
        var measured = await EventuallyAsync(
            () => fixture.Telemetry.MetricPoints.Where(m => m.Value > 0).Select(m => m.Key.Metric).ToHashSet(),
            names => figures.All(names.Contains));
        Assert.True(figures.All(measured.Contains), $"no data points for {string.Join(", ", figures.Except(measured))}");
    }

    /// <summary>Telemetry arrives in batches a second or so apart: looks again for up to half a minute.</summary>
    private static async Task<HashSet<string>> EventuallyAsync(Func<HashSet<string>> read, Func<HashSet<string>, bool> complete)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var found = read();
        while (!complete(found) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            found = read();
        }
        return found;
    }

    /// <summary>The service a span came from, with the local builders (builder-1, builder-2: either may run a step) as one.</summary>
    private static string Service(string service) =>
        service.StartsWith("builder-", StringComparison.Ordinal) && service[8..].All(char.IsAsciiDigit) ? "builder" : service;
}
