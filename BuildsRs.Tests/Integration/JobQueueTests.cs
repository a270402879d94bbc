using BuildsRs.Api.Jobs;
using BuildsRs.Contracts.Builders;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BuildsRs.Tests.Integration;

/// <summary>The queue against real Postgres: no double assignment under concurrency, leases that run out, stale results.</summary>
public sealed class JobQueueTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>, IAsyncLifetime
{
    private static readonly string[] Kinds = ["metadata", "binary"];
    private static readonly string[] Targets = ["x86_64-unknown-linux-gnu"];
    private readonly JobQueueOptions options = new() { Lease = TimeSpan.FromSeconds(1), MaxClaims = 2, DownloadUrl = "http://registry/{crate}/{version}" };
    private string connectionString = null!;
    private long builderA;
    private long builderB;

    public async Task InitializeAsync()
    {
        connectionString = await postgres.CreateDatabaseAsync();
        await using var db = PostgresServerFixture.CreateContext(connectionString);
        await db.Database.MigrateAsync();
        var a = new RegisteredBuilder { Name = "a", PublicKey = [1], Fingerprint = new string('a', 64), Enabled = true };
        var b = new RegisteredBuilder { Name = "b", PublicKey = [2], Fingerprint = new string('b', 64), Enabled = true };
        db.Builders.AddRange(a, b);
        var crate = new Crate { Name = "demo" };
        for (var i = 0; i < 100; i++)
        {
            var version = new CrateVersion { Crate = crate, Version = $"1.0.{i}", Checksum = new string('c', 64) };
            version.Jobs.Add(new Job { Kind = JobKind.Metadata, State = JobState.Queued, Priority = i == 42 ? 5 : 0 });
            db.Versions.Add(version);
        }
        await db.SaveChangesAsync();
        (builderA, builderB) = (a.Id, b.Id);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Concurrent_claims_never_hand_out_a_job_twice_and_respect_priority()
    {
        await using (var db = Db())
        {
            var first = await Queue(db).ClaimAsync(builderA, Targets, Kinds, CancellationToken.None);
            Assert.Equal("1.0.42", first!.Version);
        }

        var claimed = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var mine = new List<long>();
            await using var db = Db();
            while (await Queue(db).ClaimAsync(worker % 2 == 0 ? builderA : builderB, Targets, Kinds, CancellationToken.None) is { } job)
            {
                mine.Add(job.JobId);
            }
            return mine;
        })));

        var all = claimed.SelectMany(ids => ids).ToList();
        Assert.Equal(99, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public async Task An_expired_lease_requeues_the_job_for_another_builder_and_the_first_builders_result_is_discarded()
    {
        await using var db = Db();
        var queue = Queue(db);
        var job = await queue.ClaimAsync(builderA, Targets, Kinds, CancellationToken.None);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var requeued = await queue.RequeueExpiredAsync(CancellationToken.None);
        var again = await queue.ClaimAsync(builderB, Targets, Kinds, CancellationToken.None);
        var late = await queue.FinishAsync(builderA, new JobFinished(job!.JobId, JobOutcomes.Succeeded, 1, 0, null, ["a"], null), CancellationToken.None);

        Assert.Equal(1, requeued);
        Assert.Equal(job.JobId, again!.JobId);
        Assert.NotEqual(job.UploadToken, again.UploadToken);
        Assert.Contains("does not hold", late, StringComparison.Ordinal);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await queue.RequeueExpiredAsync(CancellationToken.None);
        db.ChangeTracker.Clear();
        var failed = await db.Jobs.SingleAsync(j => j.Id == job.JobId);
        Assert.Equal((JobState.Failed, OutcomeClass.InfrastructureError), (failed.State, failed.Outcome));
    }

    [Fact]
    public async Task Only_infrastructure_errors_go_back_to_the_queue()
    {
        await using var db = Db();
        var queue = Queue(db);
        var infra = await queue.ClaimAsync(builderA, Targets, Kinds, CancellationToken.None);
        var crateFault = await queue.ClaimAsync(builderA, Targets, Kinds, CancellationToken.None);

        await queue.FinishAsync(builderA, new JobFinished(infra!.JobId, JobOutcomes.InfrastructureError, 1, null, "engine down", null, null), CancellationToken.None);
        await queue.FinishAsync(builderA, new JobFinished(crateFault!.JobId, JobOutcomes.BuildFailed, 1, 101, "error[E0308]", null, null), CancellationToken.None);

        db.ChangeTracker.Clear();
        Assert.Equal(JobState.Queued, (await db.Jobs.SingleAsync(j => j.Id == infra.JobId)).State);
        var failed = await db.Jobs.SingleAsync(j => j.Id == crateFault.JobId);
        Assert.Equal((JobState.Failed, OutcomeClass.BuildFailed, 101), (failed.State, failed.Outcome, failed.ExitCode));
    }

    [Fact]
    public async Task A_rebuilt_version_gets_new_attempts_at_the_rebuilds_priority_and_keeps_its_history()
    {
        await using var db = Db();
        var queue = Queue(db);
        var first = await queue.ClaimAsync(builderA, Targets, Kinds, CancellationToken.None);
        await queue.FinishAsync(builderA, new JobFinished(first!.JobId, JobOutcomes.Succeeded, 1, 0, null, ["demo"], null), CancellationToken.None);
        var versionId = (await db.Jobs.SingleAsync(j => j.Id == first.JobId)).VersionId;
        var binary = await db.Jobs.SingleAsync(j => j.VersionId == versionId && j.Kind == JobKind.Binary);
        binary.State = JobState.Failed;
        binary.Outcome = OutcomeClass.BuildFailed;
        await db.SaveChangesAsync();

        var queued = await db.Database.ExecuteSqlRawAsync(JobQueueSql.QueueRebuild,
            new Npgsql.NpgsqlParameter("crate", "demo"), new Npgsql.NpgsqlParameter("version", first.Version), new Npgsql.NpgsqlParameter("priority", 50));
        var again = await db.Database.ExecuteSqlRawAsync(JobQueueSql.QueueRebuild,
            new Npgsql.NpgsqlParameter("crate", "demo"), new Npgsql.NpgsqlParameter("version", first.Version), new Npgsql.NpgsqlParameter("priority", 50));
        var rebuild = await queue.ClaimAsync(builderB, Targets, ["metadata"], CancellationToken.None);
        await queue.FinishAsync(builderB, new JobFinished(rebuild!.JobId, JobOutcomes.Succeeded, 1, 0, null, ["demo"], null), CancellationToken.None);

        Assert.Equal((1, 0), (queued, again));
        Assert.Equal(first.Version, rebuild.Version);
        db.ChangeTracker.Clear();
        var jobs = (await db.Jobs.Where(j => j.VersionId == versionId).ToListAsync()).OrderBy(j => j.Kind).ThenBy(j => j.Attempt);
        Assert.Equal(
            [(JobKind.Metadata, 0, JobState.Succeeded, 5), (JobKind.Metadata, 1, JobState.Succeeded, 50),
             (JobKind.Binary, 0, JobState.Failed, 5), (JobKind.Binary, 1, JobState.Queued, 50)],
            jobs.Select(j => (j.Kind, j.Attempt, j.State, j.Priority)));
    }

    [Fact]
    public async Task A_binary_result_that_claims_another_machine_or_a_malformed_platform_is_discarded_and_the_job_kept()
    {
        await using var db = Db();
        var queue = Queue(db);
        var metadata = await queue.ClaimAsync(builderA, Targets, ["metadata"], CancellationToken.None);
        await queue.FinishAsync(builderA, new JobFinished(metadata!.JobId, JobOutcomes.Succeeded, 1, 0, null, ["demo"], null), CancellationToken.None);
        var binary = await queue.ClaimAsync(builderA, Targets, ["binary"], CancellationToken.None);
        db.Artifacts.Add(new Artifact { JobId = binary!.JobId, FileName = "demo.tar.gz", StorageKey = "k" + binary.JobId, Size = 1, Sha256 = new string('d', 64) });
        await db.SaveChangesAsync();

        var otherMachine = await queue.FinishAsync(builderA, new JobFinished(binary.JobId, JobOutcomes.Succeeded, 1, 0, null, null, null,
            new BinaryPlatform("aarch64", "dynamic", "2.31")), CancellationToken.None);
        var malformed = await queue.FinishAsync(builderA, new JobFinished(binary.JobId, JobOutcomes.Succeeded, 1, 0, null, null, null,
            new BinaryPlatform("x86-64", "dynamic", "2.31; <script>")), CancellationToken.None);
        var honest = await queue.FinishAsync(builderA, new JobFinished(binary.JobId, JobOutcomes.Succeeded, 1, 0, null, null, null,
            new BinaryPlatform("x86-64", "dynamic", "2.30")), CancellationToken.None);

        Assert.Equal("a x86_64-unknown-linux-gnu build cannot have aarch64 binaries: they are x86-64 binaries", otherMachine);
        Assert.Equal("malformed platform: glibc is a version such as 2.31", malformed);
        Assert.Null(honest);
        db.ChangeTracker.Clear();
        var artifact = await db.Artifacts.SingleAsync(a => a.JobId == binary.JobId);
        Assert.Equal(("x86-64", "dynamic", "2.30"), (artifact.Machine, artifact.Linkage, artifact.GlibcFloor));
        Assert.Equal(JobState.Succeeded, (await db.Jobs.SingleAsync(j => j.Id == binary.JobId)).State);
    }

    [Fact]
    public async Task A_locked_queue_hands_out_nothing_until_it_is_unlocked()
    {
        await using var db = Db();
        var queue = Queue(db);

        await db.QueueLocks.ExecuteUpdateAsync(l => l.SetProperty(x => x.Locked, true));
        var whileLocked = await queue.ClaimAsync(builderA, Targets, Kinds, CancellationToken.None);
        await db.QueueLocks.ExecuteUpdateAsync(l => l.SetProperty(x => x.Locked, false));
        var afterwards = await queue.ClaimAsync(builderA, Targets, Kinds, CancellationToken.None);

        Assert.Null(whileLocked);
        Assert.NotNull(afterwards);
    }

    private BuildsRsDbContext Db() => PostgresServerFixture.CreateContext(connectionString);

    private JobQueue Queue(BuildsRsDbContext db) => new(db, Options.Create(options));
}
