using System.Text.Json;
using System.Text.Json.Nodes;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BuildsRs.Data.Jobs.Results;

/// <summary>
/// A metadata job's result. Its success, by far the commonest result, is recorded for a whole batch in one statement
/// with the fan-out it starts (<see cref="EndSucceededAsync"/>); any other metadata result simply ends the job.
/// </summary>
internal sealed class MetadataResults(BuildsRsDbContext db) : ResultRecorder
{
    public override Task<Judgement> JudgeAsync(HeldJob job, JobFinished finished, CancellationToken cancellationToken) =>
        Task.FromResult(Judgement.Ends(finished.Outcome, finished.Error));

    /// <summary>Ends the metadata jobs among <paramref name="results"/> that the builder holds, as succeeded, and queues
    /// their binary jobs; returns the jobs it ended. For the others the builder holds no such job: the one-by-one path
    /// then says why, or records another kind's result.</summary>
    public async Task<HashSet<long>> EndSucceededAsync(long builderId, IReadOnlyList<JobFinished> results, CancellationToken cancellationToken)
    {
        if (results.Count == 0)
        {
            return [];
        }
        var started = DateTimeOffset.UtcNow;
        var described = new JsonArray([.. results.Select(finished => new JsonObject
        {
            ["job"] = finished.JobId,
            ["exit_code"] = finished.ExitCode,
            ["binaries"] = new JsonArray([.. BinariesToBuild(finished).Select(b => JsonValue.Create(b))]),
            ["settings"] = finished.Settings is null ? null : JsonSerializer.SerializeToNode(finished.Settings, BuilderJsonContext.Default.BuildSettings),
            ["author_targets"] = finished.Settings?.Targets is { Count: > 0 } authors ? new JsonArray([.. authors.Select(t => JsonValue.Create(t))]) : null,
        })]);
        var ended = await db.Database.SqlQueryRaw<EndedMetadata>(JobLifecycleSql.EndMetadataAndFanOut,
                new NpgsqlParameter("builder", builderId), new NpgsqlParameter("results", described.ToJsonString()))
            .ToListAsync(cancellationToken);
        foreach (var row in ended)
        {
            using (var activity = JobTelemetry.StartInJob("Record result", row.TraceParent, row.Id, started))
            {
                activity?.SetTag("buildsrs.job.outcome", EnumText.Of(JobOutcome.Succeeded));
                activity?.SetTag("buildsrs.fan_out.targets", row.Targets);
                activity?.SetTag("buildsrs.results.recorded_together", ended.Count);
            }
            var finished = results.First(r => r.JobId == row.Id);
            JobTelemetry.Ended(JobKind.Metadata, null, JobOutcome.Succeeded, TimeSpan.FromMilliseconds(finished.DurationMs));
        }
        return [.. ended.Select(e => e.Id)];
    }

    /// <summary>The binaries to build: the author's <c>bins</c>, when named, narrow what the crate has.</summary>
    private static IEnumerable<string> BinariesToBuild(JobFinished finished)
    {
        var binaries = finished.Binaries ?? [];
        return finished.Settings?.Bins is { Count: > 0 } wanted ? binaries.Intersect(wanted) : binaries;
    }

    private sealed record EndedMetadata(long Id, string? TraceParent, long Described, string? Targets);
}
