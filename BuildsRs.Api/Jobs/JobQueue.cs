using System.Security.Cryptography;
using System.Text.Json;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Registry;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BuildsRs.Api.Jobs;

/// <summary>
/// Hands jobs to builders and takes their results. Claims are atomic (<c>FOR UPDATE SKIP LOCKED</c>), carry a lease
/// that heartbeats extend, and a result counts only from the builder that holds the job.
/// </summary>
internal sealed class JobQueue(BuildsRsDbContext db, IOptions<JobQueueOptions> options)
{
    public async Task<JobAssigned?> ClaimAsync(long builderId, IReadOnlyList<string> targets, IReadOnlyList<string> kinds, CancellationToken cancellationToken)
    {
        using var activity = Infrastructure.ApiTelemetry.Source.StartActivity("Claim job");
        // Only the hash is kept: whoever reads the database still cannot upload.
        var uploadToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var claimed = await db.Database.SqlQueryRaw<long>(JobQueueSql.Claim,
                new NpgsqlParameter("builder", builderId), new NpgsqlParameter("lease", options.Value.Lease),
                new NpgsqlParameter("token_hash", UploadTokens.Hash(uploadToken)),
                new NpgsqlParameter("targets", targets.ToArray()), new NpgsqlParameter("kinds", kinds.ToArray()))
            .ToListAsync(cancellationToken);
        if (claimed.Count == 0)
        {
            return null;
        }
        var job = await db.Jobs.AsNoTracking().Include(j => j.Version).ThenInclude(v => v.Crate).SingleAsync(j => j.Id == claimed[0], cancellationToken);
        activity?.SetTag("buildsrs.job.id", job.Id);
        var crate = job.Version.Crate.Name;
        return new JobAssigned(job.Id, EnumText.Of(job.Kind), crate, job.Version.Version,
            new RegistryConfig { Dl = options.Value.DownloadUrl }.DownloadUrl(crate, job.Version.Version, job.Version.Checksum),
            job.Version.Checksum, job.Target, job.LeaseExpiresAt!.Value,
            job.Version.BuildSettings is { } settings ? JsonSerializer.Deserialize(settings, BuilderJsonContext.Default.BuildSettings) : null,
            uploadToken);
    }

    public const int MaxLogCharacters = 1024 * 1024;
    public const string LogCutMarker = "\n[log cut: more than 1 MiB]\n";

    /// <summary>Appends a log chunk of a job this builder holds; false when it does not hold it.</summary>
    public async Task<bool> AppendLogAsync(long builderId, JobLog log, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlRawAsync(JobLogSql.Append,
        [
            new NpgsqlParameter("job", log.JobId), new NpgsqlParameter("builder", builderId),
            new NpgsqlParameter("stage", log.Stage.Length <= 30 ? log.Stage : log.Stage[..30]), new NpgsqlParameter("chunk", log.Chunk),
            new NpgsqlParameter("cap", MaxLogCharacters), new NpgsqlParameter("marker", LogCutMarker),
        ], cancellationToken) > 0 || await db.Jobs.AnyAsync(j => j.Id == log.JobId && j.State == JobState.Running && j.BuilderId == builderId, cancellationToken);

    /// <summary>Extends the leases of the jobs the builder says it works on; answers those it no longer holds.</summary>
    public async Task<IReadOnlyList<long>> ExtendLeasesAsync(long builderId, IReadOnlyList<long> jobs, CancellationToken cancellationToken)
    {
        if (jobs.Count == 0)
        {
            return [];
        }
        var extended = await db.Database.SqlQueryRaw<long>(JobQueueSql.ExtendLeases,
                new NpgsqlParameter("builder", builderId), new NpgsqlParameter("lease", options.Value.Lease), new NpgsqlParameter("jobs", jobs.ToArray()))
            .ToListAsync(cancellationToken);
        return [.. jobs.Except(extended)];
    }

    public const string CancelledByOperator = "an operator cancelled it";

    /// <summary>Ends a queued or running job; false when it had already ended (or does not exist).</summary>
    public async Task<bool> CancelAsync(long jobId, CancellationToken cancellationToken) =>
        await db.Database.ExecuteSqlRawAsync(JobQueueSql.CancelJob,
            [new NpgsqlParameter("job", jobId), new NpgsqlParameter("reason", CancelledByOperator)], cancellationToken) > 0;

    /// <summary>Cancels every queued job of a crate; returns how many.</summary>
    public Task<int> CancelQueuedAsync(string normalizedCrate, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync(JobQueueSql.CancelQueuedOfCrate,
            [new NpgsqlParameter("crate", normalizedCrate), new NpgsqlParameter("reason", CancelledByOperator)], cancellationToken);

    public Task<int> RequeueExpiredAsync(CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync(JobQueueSql.RequeueExpired, [new NpgsqlParameter("max_claims", options.Value.MaxClaims)], cancellationToken);

    /// <summary>Records a result; null when accepted, else why it was discarded.</summary>
    public async Task<string?> FinishAsync(long builderId, JobFinished finished, CancellationToken cancellationToken)
    {
        if (!JobOutcomes.All.Contains(finished.Outcome))
        {
            return $"unknown outcome '{finished.Outcome}'";
        }
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var job = await db.Jobs.FromSqlRaw("SELECT * FROM jobs WHERE id = {0} FOR UPDATE", finished.JobId)
                .Include(j => j.Version)
                .SingleOrDefaultAsync(cancellationToken);
            if (job is null || job.State != JobState.Running || job.BuilderId != builderId)
            {
                return "this builder does not hold that job (its lease may have run out)";
            }
            if (finished.Platform is { } platform && ArtifactPlatforms.Invalid(platform, job.Target) is { } invalid)
            {
                return invalid;
            }

            var outcome = EnumText.Parse<OutcomeClass>(finished.Outcome);
            job.FinishedAt = DateTimeOffset.UtcNow;
            job.ExitCode = finished.ExitCode;
            job.Error = finished.Error?[..Math.Min(finished.Error.Length, 4000)];
            job.LeaseExpiresAt = null;
            if (outcome == OutcomeClass.InfrastructureError && job.Claims < options.Value.MaxClaims)
            {
                // Not the crate's fault: let another attempt have it.
                (job.State, job.BuilderId, job.FinishedAt) = (JobState.Queued, null, null);
            }
            else
            {
                job.State = outcome == OutcomeClass.Succeeded ? JobState.Succeeded : JobState.Failed;
                job.Outcome = outcome;
            }
            await db.SaveChangesAsync(cancellationToken);

            if (job.Kind == JobKind.Binary && outcome == OutcomeClass.Succeeded)
            {
                var artifacts = await db.Artifacts.Where(a => a.JobId == job.Id).ToListAsync(cancellationToken);
                if (artifacts.Count == 0)
                {
                    (job.State, job.Outcome, job.Error) = (JobState.Failed, OutcomeClass.InfrastructureError, "reported success without an uploaded artifact");
                }
                foreach (var artifact in artifacts)
                {
                    (artifact.Machine, artifact.Linkage, artifact.GlibcFloor) = (finished.Platform?.Machine, finished.Platform?.Linkage, finished.Platform?.Glibc);
                }
                await db.SaveChangesAsync(cancellationToken);
            }
            if (job.Kind == JobKind.Metadata && outcome == OutcomeClass.Succeeded)
            {
                await FanOutAsync(job, finished, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            return null;
        });
    }

    /// <summary>One binary job per target to build for: the enabled targets, narrowed by the author's own list.</summary>
    private async Task FanOutAsync(Job job, JobFinished finished, CancellationToken cancellationToken)
    {
        var binaries = finished.Binaries ?? [];
        var settings = finished.Settings;
        if (settings?.Bins is { Count: > 0 } wanted)
        {
            binaries = binaries.Intersect(wanted).ToList();
        }
        job.Version.BinaryTargets = [.. binaries];
        job.Version.BuildSettings = settings is null ? null : JsonSerializer.Serialize(settings, BuilderJsonContext.Default.BuildSettings);
        await db.SaveChangesAsync(cancellationToken);
        if (binaries.Count == 0)
        {
            return;
        }
        var targets = await db.Targets.Where(t => t.Enabled).Select(t => t.Triple).ToListAsync(cancellationToken);
        if (settings?.Targets is { Count: > 0 } authorTargets)
        {
            targets = targets.Intersect(authorTargets).ToList();
        }
        await db.Database.ExecuteSqlRawAsync(JobQueueSql.QueueBinaryJobs,
            [new NpgsqlParameter("version", job.VersionId), new NpgsqlParameter("priority", job.Priority), new NpgsqlParameter("targets", targets.ToArray())],
            cancellationToken);
    }
}
