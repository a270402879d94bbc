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
        var ended = await db.Database.SqlQueryRaw<EndedMetadata>(EndAndFanOut,
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

    /// <summary>
    /// The common result in one statement, for any number of jobs at once (@results: a JSON array of
    /// <c>{job, exit_code, binaries, settings, author_targets}</c>): each metadata job the builder holds ends as
    /// succeeded, its version gets its binary targets and the author's settings, and one binary job is queued per
    /// enabled target (narrowed by the author's own list) when it has binaries and the registry still lists it, in the
    /// metadata job's trace. One row
    /// per job ended; none for a job the builder does not hold as such.
    /// </summary>
    internal static readonly string EndAndFanOut = $"""
        WITH results AS (
            SELECT * FROM jsonb_to_recordset(@results::jsonb) AS r(job bigint, exit_code int, binaries text[], settings jsonb, author_targets text[])),
        ended AS (
            UPDATE jobs SET state = {EnumText.Sql(JobState.Succeeded)}, outcome = {EnumText.Sql(JobOutcome.Succeeded)}, exit_code = r.exit_code, error = NULL,
                            finished_at = now(), lease_expires_at = NULL
            FROM results r
            WHERE jobs.id = r.job AND jobs.state = {JobLifecycleSql.Running} AND jobs.builder_id = @builder AND {JobLifecycleSql.BuilderEnabled} AND jobs.kind = {JobLifecycleSql.Metadata}
            RETURNING jobs.id, jobs.version_id, jobs.priority, jobs.trace_parent, r.binaries, r.settings, r.author_targets),
        described AS (
            UPDATE versions v SET binary_targets = ended.binaries, build_settings = ended.settings
            FROM ended WHERE v.id = ended.version_id
            RETURNING v.id),
        fanned AS (
            INSERT INTO jobs (version_id, kind, target, state, priority, attempt, claims, trace_parent)
            SELECT ended.version_id, {JobLifecycleSql.Binary}, t.triple, {JobLifecycleSql.Queued}, ended.priority,
                   COALESCE((SELECT max(attempt) + 1 FROM jobs b WHERE b.version_id = ended.version_id AND b.kind = {JobLifecycleSql.Binary} AND b.target = t.triple), 0),
                   0, ended.trace_parent
            FROM ended CROSS JOIN targets t
            WHERE cardinality(ended.binaries) > 0 AND t.enabled AND (ended.author_targets IS NULL OR t.triple = ANY(ended.author_targets))
              AND NOT EXISTS (SELECT FROM versions removed WHERE removed.id = ended.version_id AND removed.removed_at IS NOT NULL)
            ON CONFLICT DO NOTHING
            RETURNING version_id, target)
        SELECT ended.id, ended.trace_parent, (SELECT count(*) FROM described) AS described,
               (SELECT string_agg(target, ' ') FROM fanned WHERE fanned.version_id = ended.version_id) AS targets
        FROM ended
        """;

    /// <summary>The binaries to build: the author's <c>bins</c>, when named, narrow what the crate has.</summary>
    private static IEnumerable<string> BinariesToBuild(JobFinished finished)
    {
        var binaries = finished.Binaries ?? [];
        return finished.Settings?.Bins is { Count: > 0 } wanted ? binaries.Intersect(wanted) : binaries;
    }

    private sealed record EndedMetadata(long Id, string? TraceParent, long Described, string? Targets);
}
