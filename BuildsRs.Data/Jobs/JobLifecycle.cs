using System.Security.Cryptography;
using System.Text;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Jobs.Results;
using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BuildsRs.Data.Jobs;

/// <summary>
/// Owns every transition of a job: queued by an import, a fan-out or a rebuild; claimed under a lease that heartbeats
/// extend; back to the queue when the lease runs out or an infrastructure error leaves tries; ended by its holder's
/// result or an operator's cancel. Whoever changes a job (the builder connection, the admin API, the lease sweeper,
/// the registry import) does it through here; what a builder that no longer holds a job sends is refused here.
/// </summary>
public sealed class JobLifecycle(BuildsRsDbContext db, IOptions<JobLifecycleOptions> options)
{
    public const string NotHeld = "this builder does not hold that job (its lease may have run out)";

    /// <summary>The most jobs one claim hands out.</summary>
    public const int MaxClaimCount = 32;

    /// <summary>Hands up to one job per upload token hash (the i-th job gets the i-th hash) of these kinds and targets
    /// to a builder, in queue order; none when the queue has none for it. Each job comes with its version and crate,
    /// and the trace context the builder's spans continue from.</summary>
    /// <param name="capacity">The most jobs the builder holds at once, these included (as its hello announced).</param>
    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(long builderId, IReadOnlyList<string> targets, IReadOnlyList<JobKind> kinds,
        IReadOnlyList<byte[]> uploadTokenHashes, CancellationToken cancellationToken, int capacity = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfZero(uploadTokenHashes.Count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(uploadTokenHashes.Count, MaxClaimCount);
        var started = DateTimeOffset.UtcNow;
        List<ClaimedRow> claimed;
        using (JobTelemetry.Quiet())
        {
            claimed = await db.Database.SqlQueryRaw<ClaimedRow>(ClaimStatement,
                    new NpgsqlParameter("builder", builderId), new NpgsqlParameter("lease", options.Value.Lease),
                    new NpgsqlParameter("token_hashes", uploadTokenHashes.ToArray()), new NpgsqlParameter("count", uploadTokenHashes.Count),
                    new NpgsqlParameter("targets", targets.ToArray()), new NpgsqlParameter("kinds", kinds.Select(EnumText.Of).ToArray()),
                    new NpgsqlParameter("capacity", capacity))
                .ToListAsync(cancellationToken);
        }
        return [.. claimed.Select(job =>
        {
            var kind = EnumText.Parse<JobKind>(job.Kind);
            // Only claims that found a job are traced: an idle fleet asks every few seconds.
            using var activity = JobTelemetry.StartInJob("Claim job", job.TraceParent, job.Id, started);
            activity?.SetTag("buildsrs.job.kind", job.Kind);
            activity?.SetTag("buildsrs.crate", $"{job.Crate} {job.Version}");
            activity?.SetTag("buildsrs.target", job.Target);
            activity?.SetTag("buildsrs.builder.id", builderId);
            activity?.SetTag("buildsrs.claim.jobs", claimed.Count);
            JobTelemetry.Claimed(kind, job.Target);
            return new ClaimedJob(job.Id, kind, job.Target, job.VersionId, job.ArtifactId, job.LeaseExpiresAt, job.Crate, job.Version, job.Checksum,
                job.BuildSettings, job.PublishedAt, activity?.Id ?? job.TraceParent);
        })];
    }

    /// <summary>Up to @count of the highest-priority, oldest queued jobs of the builder's kinds and targets, each taken
    /// by exactly one builder, with what the builder needs of its version and crate, in queue order: one round trip.
    /// The n-th job gets the n-th of @token_hashes. None while an operator has locked the queue, none for a disabled
    /// builder, and never more than make the builder hold @capacity jobs. Each job keeps the settings it is handed: the
    /// version's now, or for a verify job those of the build it checks. A verify job never goes to the builder that
    /// made its artifact, nor to any other builder of that builder's host.</summary>
    internal static readonly string ClaimStatement = $"""
        WITH locked AS (
            SELECT q.id, q.priority, q.created_at FROM jobs q
            WHERE q.state = {JobLifecycleSql.Queued} AND q.kind = ANY(@kinds) AND (q.target IS NULL OR q.target = ANY(@targets))
              AND NOT EXISTS (SELECT FROM queue_lock WHERE locked) AND {JobLifecycleSql.BuilderEnabled}
              AND (q.artifact_id IS NULL OR NOT EXISTS (
                  SELECT FROM artifacts a JOIN jobs made ON made.id = a.job_id JOIN builders maker ON maker.id = made.builder_id
                  WHERE a.id = q.artifact_id AND maker.host_id = (SELECT host_id FROM builders WHERE id = @builder)))
            ORDER BY q.priority DESC, q.created_at, q.id
            LIMIT GREATEST(0, LEAST(@count, @capacity - (SELECT count(*) FROM jobs h WHERE h.state = {JobLifecycleSql.Running} AND h.builder_id = @builder)))
            FOR UPDATE SKIP LOCKED),
        picked AS (
            SELECT id, row_number() OVER (ORDER BY priority DESC, created_at, id) AS n FROM locked),
        claimed AS (
            UPDATE jobs SET state = {JobLifecycleSql.Running}, builder_id = @builder, lease_expires_at = now() + @lease,
                            started_at = now(), claims = claims + 1, upload_token_hash = (@token_hashes::bytea[])[picked.n],
                            build_settings = CASE WHEN jobs.kind = {EnumText.Sql(JobKind.Verify)}
                                THEN (SELECT made.build_settings FROM artifacts a JOIN jobs made ON made.id = a.job_id WHERE a.id = jobs.artifact_id)
                                ELSE (SELECT v.build_settings FROM versions v WHERE v.id = jobs.version_id) END
            FROM picked WHERE jobs.id = picked.id
            RETURNING jobs.id, jobs.kind, jobs.target, jobs.version_id, jobs.artifact_id, jobs.lease_expires_at, jobs.trace_parent,
                      jobs.build_settings, picked.n)
        SELECT c.id, c.kind, c.target, c.version_id, c.artifact_id, c.lease_expires_at, cr.name AS crate, v.version, v.checksum,
               c.build_settings::text AS build_settings, v.published_at, c.trace_parent
        FROM claimed c JOIN versions v ON v.id = c.version_id JOIN crates cr ON cr.id = v.crate_id
        ORDER BY c.n
        """;

    /// <summary>Extends the leases of the jobs the builder says it works on; answers those it no longer holds.</summary>
    public async Task<IReadOnlyList<long>> ExtendLeasesAsync(long builderId, IReadOnlyList<long> jobs, CancellationToken cancellationToken)
    {
        if (jobs.Count == 0)
        {
            return [];
        }
        var lease = options.Value.Lease;
        var held = HeldBy(builderId).Where(j => jobs.Contains(j.Id));
        var extended = await held.Select(j => j.Id).ToListAsync(cancellationToken);
        await held.ExecuteUpdateAsync(j => j.SetProperty(x => x.LeaseExpiresAt, x => DateTimeOffset.UtcNow + lease), cancellationToken);
        return [.. jobs.Except(extended)];
    }

    /// <summary>Appends a log chunk of a job this builder holds, up to <see cref="JobLog.MaxCharacters"/> a job (the
    /// chunk that crosses it is cut and marked); says whether more will be kept.</summary>
    public async Task<LogAppend> AppendLogAsync(long builderId, JobLog log, CancellationToken cancellationToken) =>
        (await db.Database.SqlQueryRaw<int>(JobLifecycleSql.AppendLog,
            new NpgsqlParameter("job", log.JobId), new NpgsqlParameter("builder", builderId),
            new NpgsqlParameter("stage", log.Stage.Length <= 30 ? log.Stage : log.Stage[..30]), new NpgsqlParameter("chunk", log.Chunk),
            new NpgsqlParameter("cap", JobLog.MaxCharacters), new NpgsqlParameter("marker", JobLog.CutMarker))
            .ToListAsync(cancellationToken)).Single() switch
        {
            0 => LogAppend.Stored,
            1 => LogAppend.Full,
            _ => LogAppend.NotHeld,
        };

    /// <summary>Jobs whose builder went silent go back to the queue, or fail once they were handed out too often;
    /// returns how many.</summary>
    public async Task<int> RequeueExpiredAsync(CancellationToken cancellationToken)
    {
        var expired = await db.Database.SqlQueryRaw<ExpiredJob>(JobLifecycleSql.RequeueExpired,
            new NpgsqlParameter("max_claims", options.Value.MaxClaims)).ToListAsync(cancellationToken);
        foreach (var failed in expired.Where(e => e.State == EnumText.Of(JobState.Failed)))
        {
            JobTelemetry.Ended(EnumText.Parse<JobKind>(failed.Kind), failed.Target, JobOutcome.InfrastructureError, null);
        }
        return expired.Count;
    }

    /// <summary>
    /// Records an artifact of a job that is still running (its upload was verified and stored). Nothing is recorded
    /// when the job ended meanwhile, or when another upload of the same file was recorded first: one record per file,
    /// which the unique index on (job, file) decides between uploads that race.
    /// </summary>
    public async Task<ArtifactRecording> RecordArtifactAsync(long jobId, string fileName, string storageKey, long size, string sha256, string signature,
        CancellationToken cancellationToken)
    {
        try
        {
            return (await db.Database.SqlQueryRaw<long>(JobLifecycleSql.RecordArtifact,
                    new NpgsqlParameter("job", jobId), new NpgsqlParameter("file", fileName), new NpgsqlParameter("key", storageKey),
                    new NpgsqlParameter("size", size), new NpgsqlParameter("sha256", sha256), new NpgsqlParameter("signature", signature))
                .ToListAsync(cancellationToken)).Count > 0 ? ArtifactRecording.Recorded : ArtifactRecording.JobEnded;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return ArtifactRecording.AlreadyRecorded;
        }
    }

    /// <summary>Records a result, or says why it was discarded (nothing changes then).</summary>
    public async Task<ResultRecording> FinishAsync(long builderId, JobFinished finished, CancellationToken cancellationToken) =>
        (await FinishAllAsync(builderId, [finished], cancellationToken))[0];

    /// <summary>Records results that arrived together, answering each in order: the successful metadata results in one
    /// statement, the others one by one.</summary>
    public async Task<IReadOnlyList<ResultRecording>> FinishAllAsync(long builderId, IReadOnlyList<JobFinished> results, CancellationToken cancellationToken)
    {
        var ended = await new MetadataResults(db).EndSucceededAsync(builderId,
            [.. results.Where(r => r.Outcome == JobOutcome.Succeeded && r.Build is null)], cancellationToken);
        var answers = new List<ResultRecording>(results.Count);
        foreach (var finished in results)
        {
            answers.Add(ended.Contains(finished.JobId) ? ResultRecording.Recorded : await FinishOneAsync(builderId, finished, cancellationToken));
        }
        return answers;
    }

    private async Task<ResultRecording> FinishOneAsync(long builderId, JobFinished finished, CancellationToken cancellationToken)
    {
        if (finished.Build is { } build && BuildRecords.Invalid(build) is { } malformed)
        {
            return new ResultRecording.Discarded(malformed);
        }
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (await HeldJob.LockAsync(db, builderId, finished.JobId, cancellationToken) is not { } job)
            {
                return new ResultRecording.Discarded(NotHeld);
            }
            if (finished.Platform is { } platform && ArtifactPlatforms.Invalid(platform, job.Target) is { } invalid)
            {
                return new ResultRecording.Discarded(invalid);
            }
            if (job.Kind != JobKind.Metadata && finished.Outcome == JobOutcome.Succeeded && finished.Build is null)
            {
                return new ResultRecording.Discarded("a successful build needs its build record (image, toolchain, lockfile, hashes)");
            }
            ResultRecorder recorder = job.Kind switch
            {
                JobKind.Metadata => new MetadataResults(db),
                JobKind.Binary => new BinaryResults(db, options.Value),
                _ => new VerifyResults(db),
            };
            var judgement = await recorder.JudgeAsync(job, finished, cancellationToken);
            if (judgement.DiscardedBecause is { } reason)
            {
                return new ResultRecording.Discarded(reason);
            }
            var end = judgement.End! with { Error = judgement.End.Error?[..Math.Min(judgement.End.Error.Length, 4000)] };
            using var activity = JobTelemetry.StartInJob("Record result", job.TraceParent, job.Id);
            activity?.SetTag("buildsrs.job.outcome", EnumText.Of(end.Outcome));

            // An infrastructure error is not the crate's fault: another attempt may have it.
            var retry = end.Outcome == JobOutcome.InfrastructureError && end.MayRetry && job.Claims < options.Value.MaxClaims;
            var held = HeldBy(builderId).Where(j => j.Id == job.Id);
            if (retry)
            {
                await held.ExecuteUpdateAsync(j => j
                    .SetProperty(x => x.State, JobState.Queued).SetProperty(x => x.BuilderId, (long?)null).SetProperty(x => x.LeaseExpiresAt, (DateTimeOffset?)null)
                    .SetProperty(x => x.ExitCode, finished.ExitCode).SetProperty(x => x.Error, end.Error), cancellationToken);
            }
            else
            {
                await held.ExecuteUpdateAsync(j => j
                    .SetProperty(x => x.State, end.Outcome == JobOutcome.Succeeded ? JobState.Succeeded : JobState.Failed)
                    .SetProperty(x => x.Outcome, end.Outcome).SetProperty(x => x.ExitCode, finished.ExitCode).SetProperty(x => x.Error, end.Error)
                    .SetProperty(x => x.FinishedAt, x => DateTimeOffset.UtcNow).SetProperty(x => x.LeaseExpiresAt, (DateTimeOffset?)null), cancellationToken);
            }
            if (finished.Build is { } record && end.Outcome == JobOutcome.Succeeded)
            {
                await RecordBuildAsync(job.Id, record, cancellationToken);
            }
            if (!retry)
            {
                await recorder.FollowAsync(job, finished, end, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            if (!retry)
            {
                JobTelemetry.Ended(job.Kind, job.Target, end.Outcome, TimeSpan.FromMilliseconds(finished.DurationMs));
            }
            return (ResultRecording)ResultRecording.Recorded;
        });
    }

    /// <summary>The jobs a builder holds while it may act: only the holder's heartbeats, logs, uploads and results count,
    /// and only while an operator has not disabled it or its host.</summary>
    private IQueryable<Job> HeldBy(long builderId) =>
        db.Jobs.Where(j => j.State == JobState.Running && j.BuilderId == builderId && j.Builder!.Enabled && j.Builder.Host.Enabled);

    private Task<int> RecordBuildAsync(long jobId, BuildRecord build, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync(JobLifecycleSql.RecordBuild,
        [
            new NpgsqlParameter("job", jobId), new NpgsqlParameter("image", build.Image), new NpgsqlParameter("toolchain", build.Toolchain),
            new NpgsqlParameter("lockfile", build.Lockfile),
            new NpgsqlParameter("lockfile_sha256", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(build.Lockfile)))),
        ], cancellationToken);

    /// <summary>Puts the running jobs of a builder that was disabled back in the queue (see
    /// <see cref="JobLifecycleSql.ReleaseJobsOfDisabled"/>); returns how many.</summary>
    public async Task<int> ReleaseJobsOfDisabledAsync(long builderId, CancellationToken cancellationToken) =>
        (int)(await db.Database.SqlQueryRaw<long>(JobLifecycleSql.ReleaseJobsOfDisabled, new NpgsqlParameter("builder", builderId))
            .ToListAsync(cancellationToken))[0];

    public const string CancelledByOperator = "an operator cancelled it";

    /// <summary>Ends a queued or running job; false when it had already ended (or does not exist). A running one's
    /// builder learns it on its next heartbeat or log chunk and stops; whatever it still sends is refused.</summary>
    public async Task<bool> CancelAsync(long jobId, CancellationToken cancellationToken) =>
        await db.Jobs.Where(j => j.Id == jobId && (j.State == JobState.Queued || j.State == JobState.Running))
            .ExecuteUpdateAsync(j => j
                .SetProperty(x => x.State, JobState.Cancelled).SetProperty(x => x.FinishedAt, x => DateTimeOffset.UtcNow)
                .SetProperty(x => x.LeaseExpiresAt, (DateTimeOffset?)null).SetProperty(x => x.Error, CancelledByOperator), cancellationToken) > 0;

    /// <summary>Cancels every queued job of a crate; returns how many.</summary>
    public Task<int> CancelQueuedAsync(string normalizedCrate, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync(JobLifecycleSql.CancelQueuedOfCrate,
            [new NpgsqlParameter("crate", normalizedCrate), new NpgsqlParameter("reason", CancelledByOperator)], cancellationToken);

    /// <summary>Queues a version (or every non-yanked version of a crate) again from its metadata job, at
    /// <paramref name="priority"/> or the rebuilds' own; returns how many versions were queued (a version with a live
    /// metadata job is left alone) and at which priority.</summary>
    public async Task<(int Queued, int Priority)> QueueRebuildAsync(string normalizedCrate, string? version, int? priority, CancellationToken cancellationToken)
    {
        var used = priority ?? options.Value.RebuildPriority;
        var queued = await db.Database.ExecuteSqlRawAsync(JobLifecycleSql.QueueRebuild,
        [
            new NpgsqlParameter("crate", normalizedCrate), new NpgsqlParameter("version", version ?? ""),
            new NpgsqlParameter("priority", used), TraceParentParameter(),
        ], cancellationToken);
        return (queued, used);
    }

    /// <summary>Has another builder build a version's artifacts again (each target's newest) at <paramref name="priority"/>
    /// (the rebuilds' own unless named); returns how many verify jobs are queued for it.</summary>
    public async Task<(int Queued, int Priority)> QueueVerifyAsync(string normalizedCrate, string version, int? priority, CancellationToken cancellationToken)
    {
        var used = priority ?? options.Value.RebuildPriority;
        // Not composed (no Single): a statement that changes rows in WITH must stay at the top level.
        var queued = await db.Database.SqlQueryRaw<long>(JobLifecycleSql.QueueVerifyOfVersion,
            new NpgsqlParameter("crate", normalizedCrate), new NpgsqlParameter("version", version),
            new NpgsqlParameter("priority", used), TraceParentParameter()).ToListAsync(cancellationToken);
        return ((int)queued[0], used);
    }

    /// <summary>The trace context new job rows carry: the span that queues them.</summary>
    public static NpgsqlParameter TraceParentParameter() => new("trace_parent", (object?)JobTelemetry.CurrentTraceParent() ?? DBNull.Value);

    private sealed record ClaimedRow(long Id, string Kind, string? Target, long VersionId, long? ArtifactId, DateTimeOffset LeaseExpiresAt,
        string Crate, string Version, string Checksum, string? BuildSettings, DateTimeOffset? PublishedAt, string? TraceParent);

    private sealed record ExpiredJob(string Kind, string? Target, string State);
}
