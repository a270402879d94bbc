using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using BuildsRs.Data.Jobs;
using BuildsRs.Data.Model;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BuildsRs.Tests.ApiTests;

/// <summary>
/// A job's life against real Postgres: no double assignment under concurrency, leases that run out, results and
/// artifacts only from the holder, cancels, rebuilds, and a vocabulary the database itself enforces.
/// </summary>
public sealed class JobLifecycleTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>, IAsyncLifetime
{
    private static readonly JobKind[] Kinds = [JobKind.Metadata, JobKind.Binary];
    private static readonly string[] Targets = ["x86_64-unknown-linux-gnu"];
    private readonly JobLifecycleOptions options = new() { Lease = TimeSpan.FromSeconds(1), MaxClaims = 2, RebuildPriority = 50 };
    private string connectionString = null!;
    private static readonly string KnownImage = "sha256:" + new string('1', 64);
    private long builderA;
    private long siblingOfA;
    private long builderB;

    public async Task InitializeAsync()
    {
        connectionString = await postgres.CreateDatabaseAsync();
        await using var db = PostgresServerFixture.CreateContext(connectionString);
        await db.Database.MigrateAsync();
        // a and its sibling are two keys of one host, b is a key of another.
        var hostA = new BuilderHost { Name = "host-a", TokenSha256 = [1], Enabled = true };
        var hostB = new BuilderHost { Name = "host-b", TokenSha256 = [2], Enabled = true };
        var a = new RegisteredBuilder { Name = "a", PublicKey = [1], Fingerprint = new string('a', 64), Enabled = true, Host = hostA };
        var sibling = new RegisteredBuilder { Name = "a2", PublicKey = [3], Fingerprint = new string('f', 64), Enabled = true, Host = hostA };
        var b = new RegisteredBuilder { Name = "b", PublicKey = [2], Fingerprint = new string('b', 64), Enabled = true, Host = hostB };
        db.Builders.AddRange(a, sibling, b);
        (await db.Targets.SingleAsync(t => t.Triple == Targets[0])).Images = [KnownImage];
        var crate = new Crate { Name = "demo" };
        for (var i = 0; i < 100; i++)
        {
            var version = new CrateVersion { Crate = crate, Version = $"1.0.{i}", Checksum = new string('c', 64) };
            version.Jobs.Add(new Job { Kind = JobKind.Metadata, State = JobState.Queued, Priority = i == 42 ? 5 : 0 });
            db.Versions.Add(version);
        }
        await db.SaveChangesAsync();
        (builderA, siblingOfA, builderB) = (a.Id, sibling.Id, b.Id);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Concurrent_claims_never_hand_out_a_job_twice_and_respect_priority()
    {
        await using (var db = Db())
        {
            var first = await ClaimAsync(Lifecycle(db), builderA, Kinds);
            Assert.Equal("1.0.42", first!.Version.Version);
        }

        var claimed = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var mine = new List<long>();
            await using var db = Db();
            while (await ClaimAsync(Lifecycle(db), worker % 2 == 0 ? builderA : builderB, Kinds) is { } job)
            {
                mine.Add(job.Id);
            }
            return mine;
        })));

        var all = claimed.SelectMany(ids => ids).ToList();
        Assert.Equal(99, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public async Task A_batch_claim_hands_out_jobs_in_queue_order_each_once_with_its_own_token_and_results_sent_together_are_recorded_together()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        byte[][] tokens = [[1], [2], [3], [4]];

        var batch = await lifecycle.ClaimAsync(builderA, Targets, Kinds, tokens, CancellationToken.None);
        var other = await lifecycle.ClaimAsync(builderB, Targets, Kinds, tokens[..2], CancellationToken.None);

        Assert.Equal(["1.0.42", "1.0.0", "1.0.1", "1.0.2"], batch.Select(j => j.Version));
        Assert.Equal(["1.0.3", "1.0.4"], other.Select(j => j.Version));
        var stored = await db.Jobs.AsNoTracking().Where(j => j.State == JobState.Running).ToDictionaryAsync(j => j.Id);
        Assert.Equal(6, stored.Count);
        Assert.Equal(tokens, batch.Select(j => stored[j.Id].UploadTokenHash));

        // Three of A's results and a forged one for B's job arrive together: A's are recorded, the forged one is refused.
        var answers = await lifecycle.FinishAllAsync(builderA,
        [
            Finished(batch[0].Id, JobOutcome.Succeeded, ["tool"]), Finished(batch[1].Id, JobOutcome.Succeeded, []),
            Finished(other[0].Id, JobOutcome.Succeeded, ["forged"]), Finished(batch[2].Id, JobOutcome.BuildFailed, exitCode: 101, error: "bad manifest"),
        ], CancellationToken.None);

        Assert.Equal([Accepted, Accepted, Discarded(JobLifecycle.NotHeld), Accepted], answers);
        var ended = await db.Jobs.AsNoTracking().Include(j => j.Version).Where(j => j.Kind == JobKind.Metadata)
            .ToDictionaryAsync(j => j.Id, j => (j.State, j.Version.BinaryTargets));
        Assert.Equal(JobState.Succeeded, ended[batch[0].Id].State);
        Assert.Equal(["tool"], ended[batch[0].Id].BinaryTargets!);
        Assert.Equal(JobState.Succeeded, ended[batch[1].Id].State);
        Assert.Equal([], ended[batch[1].Id].BinaryTargets!);
        Assert.Equal((JobState.Running, null), ended[other[0].Id]);
        Assert.Equal(JobState.Failed, ended[batch[2].Id].State);
        var enabledTargets = await db.Targets.CountAsync(t => t.Enabled);
        Assert.Equal(enabledTargets, await db.Jobs.CountAsync(j => j.Kind == JobKind.Binary && j.VersionId == batch[0].VersionId));
        Assert.Equal(enabledTargets, await db.Jobs.CountAsync(j => j.Kind == JobKind.Binary));
    }

    [Fact]
    public async Task An_expired_lease_requeues_the_job_for_another_builder_and_the_first_builders_result_is_discarded()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var job = await ClaimAsync(lifecycle, builderA, Kinds);

        var requeued = await RequeueOnceExpiredAsync(lifecycle);
        var again = await ClaimAsync(lifecycle, builderB, Kinds);
        var late = await lifecycle.FinishAsync(builderA, Finished(job!.Id, JobOutcome.Succeeded, ["a"]), CancellationToken.None);

        Assert.Equal(1, requeued);
        Assert.Equal(job.Id, again!.Id);
        Assert.Equal(Discarded(JobLifecycle.NotHeld), late);

        await RequeueOnceExpiredAsync(lifecycle);
        db.ChangeTracker.Clear();
        var failed = await db.Jobs.SingleAsync(j => j.Id == job.Id);
        Assert.Equal((JobState.Failed, JobOutcome.InfrastructureError), (failed.State, failed.Outcome));
    }

    [Fact]
    public async Task Only_infrastructure_errors_go_back_to_the_queue()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var infra = await ClaimAsync(lifecycle, builderA, Kinds);
        var crateFault = await ClaimAsync(lifecycle, builderA, Kinds);

        await lifecycle.FinishAsync(builderA, Finished(infra!.Id, JobOutcome.InfrastructureError, error: "engine down"), CancellationToken.None);
        await lifecycle.FinishAsync(builderA, Finished(crateFault!.Id, JobOutcome.BuildFailed, exitCode: 101, error: "error[E0308]"), CancellationToken.None);

        db.ChangeTracker.Clear();
        Assert.Equal(JobState.Queued, (await db.Jobs.SingleAsync(j => j.Id == infra.Id)).State);
        var failed = await db.Jobs.SingleAsync(j => j.Id == crateFault.Id);
        Assert.Equal((JobState.Failed, JobOutcome.BuildFailed, 101), (failed.State, failed.Outcome, failed.ExitCode));
    }

    [Fact]
    public async Task A_result_log_or_artifact_from_a_builder_that_does_not_hold_the_job_changes_nothing()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var job = await ClaimAsync(lifecycle, builderA, [JobKind.Metadata]);

        var result = await lifecycle.FinishAsync(builderB, Finished(job!.Id, JobOutcome.Succeeded, ["forged"]), CancellationToken.None);
        var log = await lifecycle.AppendLogAsync(builderB, new JobLog(job.Id, "build", "forged"), CancellationToken.None);
        var unknown = await lifecycle.FinishAsync(builderA, Finished(long.MaxValue, JobOutcome.Succeeded, ["forged"]), CancellationToken.None);

        Assert.Equal(Discarded(JobLifecycle.NotHeld), result);
        Assert.Equal(LogAppend.NotHeld, log);
        Assert.Equal(Discarded(JobLifecycle.NotHeld), unknown);
        db.ChangeTracker.Clear();
        var stored = await db.Jobs.Include(j => j.Version).SingleAsync(j => j.Id == job.Id);
        Assert.Equal((JobState.Running, builderA, null), (stored.State, stored.BuilderId, stored.Version.BinaryTargets));
        Assert.False(await db.JobLogs.AnyAsync(l => l.JobId == job.Id));
    }

    [Fact]
    public async Task A_log_keeps_its_running_size_on_the_job_and_stops_at_its_cap_with_a_marker()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var binary = await ClaimBinaryAsync(lifecycle, builderA);
        var chunk = new string('x', 100_000);

        var answers = new List<LogAppend>();
        for (var i = 0; i < 14; i++)
        {
            answers.Add(await lifecycle.AppendLogAsync(builderA, new JobLog(binary!.Id, "build", chunk), CancellationToken.None));
        }

        // 10 chunks fill 1,000,000 of the 1,048,576 characters; the 11th crosses the cap and is cut; the rest are dropped.
        Assert.Equal([.. Enumerable.Repeat(LogAppend.Stored, 10), .. Enumerable.Repeat(LogAppend.Full, 4)], answers);
        db.ChangeTracker.Clear();
        var stored = await db.JobLogs.Where(l => l.JobId == binary!.Id).OrderBy(l => l.Sequence).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 11), stored.Select(l => l.Sequence));
        var log = string.Concat(stored.Select(l => l.Text));
        Assert.Equal(JobLog.MaxCharacters + JobLog.CutMarker.Length, log.Length);
        Assert.EndsWith(JobLog.CutMarker, log, StringComparison.Ordinal);
        Assert.Equal(JobLog.MaxCharacters, (await db.Jobs.SingleAsync(j => j.Id == binary!.Id)).LogSize);
    }

    [Fact]
    public async Task A_cancelled_job_refuses_its_builders_heartbeat_log_artifact_and_result()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var binary = await ClaimBinaryAsync(lifecycle, builderA);

        var cancelled = await lifecycle.CancelAsync(binary!.Id, CancellationToken.None);
        var twice = await lifecycle.CancelAsync(binary.Id, CancellationToken.None);
        var lost = await lifecycle.ExtendLeasesAsync(builderA, [binary.Id], CancellationToken.None);
        var artifact = await lifecycle.RecordArtifactAsync(binary.Id, "demo.tar.gz", "key-" + binary.Id, 1, new string('d', 64), "signature", CancellationToken.None);
        var result = await lifecycle.FinishAsync(builderA, Finished(binary.Id, JobOutcome.Succeeded), CancellationToken.None);

        Assert.True(cancelled);
        Assert.False(twice);
        Assert.Equal([binary.Id], lost);
        Assert.Equal(ArtifactRecording.JobEnded, artifact);
        Assert.Equal(Discarded(JobLifecycle.NotHeld), result);
        db.ChangeTracker.Clear();
        var stored = await db.Jobs.SingleAsync(j => j.Id == binary.Id);
        Assert.Equal((JobState.Cancelled, JobLifecycle.CancelledByOperator), (stored.State, stored.Error));
        Assert.False(await db.Artifacts.AnyAsync(a => a.JobId == binary.Id));
    }

    [Fact]
    public async Task A_disabled_builder_gets_no_claim_and_its_heartbeats_logs_artifacts_and_results_count_for_nothing()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var binary = await ClaimBinaryAsync(lifecycle, builderA);
        var held = await ClaimAsync(lifecycle, builderA, [JobKind.Metadata]);
        await lifecycle.RecordArtifactAsync(binary!.Id, "demo.tar.gz", "early-" + binary.Id, 1, new string('d', 64), "signature", CancellationToken.None);

        await db.Builders.Where(b => b.Id == builderA).ExecuteUpdateAsync(b => b.SetProperty(x => x.Enabled, false));
        var claim = await ClaimAsync(lifecycle, builderA, Kinds);
        var lost = await lifecycle.ExtendLeasesAsync(builderA, [binary.Id, held!.Id], CancellationToken.None);
        var log = await lifecycle.AppendLogAsync(builderA, new JobLog(binary.Id, "build", "compiling"), CancellationToken.None);
        var artifact = await lifecycle.RecordArtifactAsync(binary.Id, "demo.tar.gz", "late-" + binary.Id, 1, new string('e', 64), "signature", CancellationToken.None);
        var results = await lifecycle.FinishAllAsync(builderA, [Finished(held.Id, JobOutcome.Succeeded, ["demo"]), Finished(binary.Id, JobOutcome.BuildFailed)],
            CancellationToken.None);
        var released = await lifecycle.ReleaseJobsOfDisabledAsync(builderA, CancellationToken.None);

        Assert.Null(claim);
        Assert.Equal(new[] { binary.Id, held.Id }.Order(), lost.Order());
        Assert.Equal(LogAppend.NotHeld, log);
        Assert.Equal(ArtifactRecording.JobEnded, artifact);
        Assert.Equal([Discarded(JobLifecycle.NotHeld), Discarded(JobLifecycle.NotHeld)], results);
        Assert.Equal(2, released);
        db.ChangeTracker.Clear();
        Assert.All(await db.Jobs.Where(j => j.Id == binary.Id || j.Id == held.Id).ToListAsync(), job => Assert.Equal((JobState.Queued, null), (job.State, job.BuilderId)));
        Assert.False(await db.Artifacts.AnyAsync(a => a.JobId == binary.Id));
        Assert.False(await db.JobLogs.AnyAsync(l => l.JobId == binary.Id));
        Assert.Equal(binary.Id, (await ClaimAsync(lifecycle, builderB, [JobKind.Binary]))!.Id);
    }

    [Fact]
    public async Task A_builder_never_holds_more_jobs_than_its_capacity()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        byte[][] tokens = [[1], [2], [3], [4], [5]];

        var first = await lifecycle.ClaimAsync(builderA, Targets, Kinds, tokens[..2], CancellationToken.None, capacity: 3);
        var second = await lifecycle.ClaimAsync(builderA, Targets, Kinds, tokens[2..], CancellationToken.None, capacity: 3);
        var full = await lifecycle.ClaimAsync(builderA, Targets, Kinds, tokens[..1], CancellationToken.None, capacity: 3);
        await lifecycle.FinishAsync(builderA, Finished(first[0].Id, JobOutcome.Succeeded, []), CancellationToken.None);
        var freed = await lifecycle.ClaimAsync(builderA, Targets, Kinds, tokens, CancellationToken.None, capacity: 3);

        Assert.Equal((2, 1, 0, 1), (first.Count, second.Count, full.Count, freed.Count));
    }

    [Fact]
    public async Task A_rebuilt_version_gets_new_attempts_at_the_rebuilds_priority_and_keeps_its_history()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var first = await ClaimAsync(lifecycle, builderA, Kinds);
        await lifecycle.FinishAsync(builderA, Finished(first!.Id, JobOutcome.Succeeded, ["demo"]), CancellationToken.None);
        var binary = await ClaimAsync(lifecycle, builderA, [JobKind.Binary]);
        await lifecycle.FinishAsync(builderA, Finished(binary!.Id, JobOutcome.BuildFailed, exitCode: 101), CancellationToken.None);

        var queued = await lifecycle.QueueRebuildAsync("demo", first.Version.Version, null, CancellationToken.None);
        var again = await lifecycle.QueueRebuildAsync("demo", first.Version.Version, null, CancellationToken.None);
        var rebuild = await ClaimAsync(lifecycle, builderB, [JobKind.Metadata]);
        await lifecycle.FinishAsync(builderB, Finished(rebuild!.Id, JobOutcome.Succeeded, ["demo"]), CancellationToken.None);

        Assert.Equal(((1, 50), (0, 50)), (queued, again));
        Assert.Equal(first.Version.Version, rebuild.Version.Version);
        db.ChangeTracker.Clear();
        var jobs = (await db.Jobs.Where(j => j.VersionId == first.VersionId).ToListAsync()).OrderBy(j => j.Kind).ThenBy(j => j.Attempt);
        Assert.Equal(
            [(JobKind.Metadata, 0, JobState.Succeeded, 5), (JobKind.Metadata, 1, JobState.Succeeded, 50),
             (JobKind.Binary, 0, JobState.Failed, 5), (JobKind.Binary, 1, JobState.Queued, 50)],
            jobs.Select(j => (j.Kind, j.Attempt, j.State, j.Priority)));
    }

    [Fact]
    public async Task A_binary_result_that_claims_another_machine_or_a_malformed_platform_is_discarded_and_the_job_kept()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var binary = await ClaimBinaryAsync(lifecycle, builderA);
        Assert.Equal(ArtifactRecording.Recorded, await lifecycle.RecordArtifactAsync(binary!.Id, "demo.tar.gz", "k" + binary.Id, 1, new string('d', 64), "signature", CancellationToken.None));

        var otherMachine = await lifecycle.FinishAsync(builderA, Built(binary.Id, 'd') with
            { Platform = new BinaryPlatform("aarch64", "dynamic", "2.31") }, CancellationToken.None);
        var malformed = await lifecycle.FinishAsync(builderA, Built(binary.Id, 'd') with
            { Platform = new BinaryPlatform("x86-64", "dynamic", "2.31; <script>") }, CancellationToken.None);
        var badSubsystem = await lifecycle.FinishAsync(builderA, Built(binary.Id, 'd') with
            { Platform = new BinaryPlatform("x86-64", "dynamic", "2.30", "<b>gui</b>") }, CancellationToken.None);
        var badDll = await lifecycle.FinishAsync(builderA, Built(binary.Id, 'd') with
            { Platform = new BinaryPlatform("x86-64", "dynamic", "2.30", "console", ["kernel32.dll", "a dll; <script>"]) }, CancellationToken.None);
        var windowsOnLinux = await lifecycle.FinishAsync(builderA, Built(binary.Id, 'd') with
            { Platform = new BinaryPlatform("x86-64", "dynamic", "2.30", "console", ["kernel32.dll"]) }, CancellationToken.None);
        var honest = await lifecycle.FinishAsync(builderA, Built(binary.Id, 'd') with
            { Platform = new BinaryPlatform("x86-64", "dynamic", "2.30") }, CancellationToken.None);

        Assert.Equal(Discarded("a x86_64-unknown-linux-gnu build cannot have aarch64 binaries: they are x86-64 binaries"), otherMachine);
        Assert.Equal(Discarded("malformed platform: glibc is a version such as 2.31"), malformed);
        Assert.Equal(Discarded("malformed platform: subsystem is 'console', 'gui' or 'mixed'"), badSubsystem);
        Assert.Equal(Discarded("malformed platform: dlls are up to 512 lower-case file names"), badDll);
        Assert.Equal(Discarded("a x86_64-unknown-linux-gnu build has no Windows subsystem or DLLs"), windowsOnLinux);
        Assert.Equal(Accepted, honest);
        db.ChangeTracker.Clear();
        var artifact = await db.Artifacts.SingleAsync(a => a.JobId == binary.Id);
        Assert.Equal(("x86-64", "dynamic", "2.30", null, null), (artifact.Machine, artifact.Linkage, artifact.GlibcFloor, artifact.Subsystem, artifact.Dlls));
        Assert.Equal(JobState.Succeeded, (await db.Jobs.SingleAsync(j => j.Id == binary.Id)).State);
    }

    [Fact]
    public async Task A_success_without_its_artifact_fails_for_good_as_an_infrastructure_error()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var binary = await ClaimBinaryAsync(lifecycle, builderA);

        Assert.Equal(Accepted, await lifecycle.FinishAsync(builderA, Built(binary!.Id, 'd'), CancellationToken.None));

        db.ChangeTracker.Clear();
        var stored = await db.Jobs.SingleAsync(j => j.Id == binary.Id);
        Assert.Equal((JobState.Failed, JobOutcome.InfrastructureError, "reported success without an uploaded artifact"),
            (stored.State, stored.Outcome, stored.Error));
    }

    [Fact]
    public async Task A_successful_build_is_built_again_by_another_builder_only_and_a_same_bytes_rebuild_is_recorded_as_reproduced()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var artifact = await BuildOneAsync(db, lifecycle, builderA);
        db.ChangeTracker.Clear();
        var queued = await db.Jobs.SingleAsync(j => j.Kind == JobKind.Verify && j.ArtifactId == artifact);

        var byMaker = await ClaimAsync(lifecycle, builderA, [JobKind.Verify]);
        var byOther = await ClaimAsync(lifecycle, builderB, [JobKind.Verify]);
        var result = await lifecycle.FinishAsync(builderB, Built(byOther!.Id, 'd'), CancellationToken.None);

        Assert.Equal((JobState.Queued, -10), (queued.State, queued.Priority));
        Assert.Null(byMaker);
        Assert.Equal(queued.Id, byOther.Id);
        Assert.Equal(Accepted, result);
        var verdict = await db.ArtifactVerifications.SingleAsync(v => v.ArtifactId == artifact);
        Assert.Equal((true, builderB, new string('d', 64), 0), (verdict.Reproduced, verdict.BuilderId, verdict.ArchiveSha256, verdict.Differences.Length));
    }

    [Fact]
    public async Task Another_key_of_the_makers_host_neither_gets_the_verify_job_nor_has_its_result_counted()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var artifact = await BuildOneAsync(db, lifecycle, builderA);
        var verify = await db.Jobs.Where(j => j.ArtifactId == artifact).Select(j => j.Id).SingleAsync();

        var bySibling = await ClaimAsync(lifecycle, siblingOfA, [JobKind.Verify]);
        // As if the sibling had got hold of the verify job anyway.
        await db.Database.ExecuteSqlRawAsync(
            "UPDATE jobs SET state = 'running', builder_id = {0}, lease_expires_at = now() + interval '1 minute' WHERE id = {1}", siblingOfA, verify);
        var fromSibling = await lifecycle.FinishAsync(siblingOfA, Built(verify, 'd'), CancellationToken.None);

        Assert.Null(bySibling);
        Assert.Equal(Discarded("a builder host cannot verify an artifact it made itself"), fromSibling);
        Assert.False(await db.ArtifactVerifications.AnyAsync());
    }

    [Fact]
    public async Task A_rebuild_in_an_image_the_Api_does_not_know_for_the_target_is_refused_and_changes_nothing()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        await BuildOneAsync(db, lifecycle, builderA);
        var verify = await ClaimAsync(lifecycle, builderB, [JobKind.Verify]);
        var unknown = "sha256:" + new string('9', 64);

        var result = await lifecycle.FinishAsync(builderB, Built(verify!.Id, 'd', image: unknown), CancellationToken.None);

        Assert.Equal(Discarded($"the rebuild ran in {unknown}, which is not an image the Api knows for x86_64-unknown-linux-gnu"), result);
        Assert.False(await db.ArtifactVerifications.AnyAsync());
        Assert.Equal(JobState.Running, await db.Jobs.Where(j => j.Id == verify.Id).Select(j => j.State).SingleAsync());
    }

    [Fact]
    public async Task An_artifact_made_in_an_unknown_image_is_still_verified_and_a_target_with_no_known_image_gets_no_verify_job()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var binary = await ClaimBinaryAsync(lifecycle, builderA);
        await lifecycle.RecordArtifactAsync(binary!.Id, "demo.tar.gz", "k", 1, new string('d', 64), "signature", CancellationToken.None);
        await lifecycle.FinishAsync(builderA, Built(binary.Id, 'd', image: "sha256:" + new string('9', 64)), CancellationToken.None);
        var verify = await ClaimAsync(lifecycle, builderB, [JobKind.Verify]);
        var result = await lifecycle.FinishAsync(builderB, Built(verify!.Id, 'd'), CancellationToken.None);

        await db.Targets.Where(t => t.Triple == Targets[0]).ExecuteUpdateAsync(t => t.SetProperty(x => x.Images, Array.Empty<string>()));
        var unverifiable = await ClaimBinaryAsync(lifecycle, builderA);
        await lifecycle.RecordArtifactAsync(unverifiable!.Id, "demo.tar.gz", "k2", 1, new string('d', 64), "signature", CancellationToken.None);
        await lifecycle.FinishAsync(builderA, Built(unverifiable.Id, 'd'), CancellationToken.None);

        Assert.Equal(Accepted, result);
        Assert.True((await db.ArtifactVerifications.SingleAsync()).Reproduced);
        Assert.False(await db.Jobs.AnyAsync(j => j.Kind == JobKind.Verify && j.VerifiedArtifact!.JobId == unverifiable.Id));
    }

    [Fact]
    public async Task A_rebuild_that_gives_other_bytes_is_recorded_with_the_files_that_differ()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var artifact = await BuildOneAsync(db, lifecycle, builderA);
        var verify = await ClaimAsync(lifecycle, builderB, [JobKind.Verify]);

        Assert.Equal(Accepted, await lifecycle.FinishAsync(builderB, Built(verify!.Id, 'e', binary: 'c'), CancellationToken.None));

        var verdict = await db.ArtifactVerifications.SingleAsync(v => v.ArtifactId == artifact);
        Assert.Equal((false, new string('e', 64)), (verdict.Reproduced, verdict.ArchiveSha256));
        Assert.Equal(["demo"], verdict.Differences);
    }

    [Fact]
    public async Task A_verify_result_from_the_maker_from_a_builder_without_the_job_or_for_no_job_is_refused_and_changes_nothing()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var artifact = await BuildOneAsync(db, lifecycle, builderA);
        var verify = await db.Jobs.Where(j => j.ArtifactId == artifact).Select(j => j.Id).SingleAsync();
        // As if the maker had got hold of its own artifact's verify job.
        await db.Database.ExecuteSqlRawAsync(
            "UPDATE jobs SET state = 'running', builder_id = {0}, lease_expires_at = now() + interval '1 minute' WHERE id = {1}", builderA, verify);

        var fromMaker = await lifecycle.FinishAsync(builderA, Built(verify, 'd'), CancellationToken.None);
        var fromOther = await lifecycle.FinishAsync(builderB, Built(verify, 'd'), CancellationToken.None);
        var forNoJob = await lifecycle.FinishAsync(builderB, Built(long.MaxValue, 'd'), CancellationToken.None);

        Assert.Equal(Discarded("a builder host cannot verify an artifact it made itself"), fromMaker);
        Assert.Equal(Discarded(JobLifecycle.NotHeld), fromOther);
        Assert.Equal(Discarded(JobLifecycle.NotHeld), forNoJob);
        Assert.False(await db.ArtifactVerifications.AnyAsync());
        Assert.Equal(JobState.Running, await db.Jobs.Where(j => j.Id == verify).Select(j => j.State).SingleAsync());
    }

    [Fact]
    public async Task An_operators_verify_request_moves_the_queued_verify_job_up_or_queues_one_once_the_last_has_ended()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var artifact = await BuildOneAsync(db, lifecycle, builderA);
        var version = await db.Artifacts.Where(a => a.Id == artifact).Select(a => a.Job.Version.Version).SingleAsync();

        var raised = await lifecycle.QueueVerifyAsync("demo", version, 40, CancellationToken.None);
        var verify = await ClaimAsync(lifecycle, builderB, [JobKind.Verify]);
        await lifecycle.FinishAsync(builderB, Built(verify!.Id, 'd'), CancellationToken.None);
        var again = await lifecycle.QueueVerifyAsync("demo", version, null, CancellationToken.None);
        var none = await lifecycle.QueueVerifyAsync("demo", "9.9.9", null, CancellationToken.None);

        Assert.Equal(((1, 40), (1, 50), (0, 50)), (raised, again, none));
        db.ChangeTracker.Clear();
        var jobs = await db.Jobs.Where(j => j.ArtifactId == artifact).OrderBy(j => j.Attempt).Select(j => new { j.State, j.Priority }).ToListAsync();
        Assert.Equal([(JobState.Succeeded, 40), (JobState.Queued, 50)], jobs.Select(j => (j.State, j.Priority)));
    }

    [Fact]
    public async Task A_build_record_that_names_another_archive_or_is_malformed_is_refused()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);
        var binary = await ClaimBinaryAsync(lifecycle, builderA);
        await lifecycle.RecordArtifactAsync(binary!.Id, "demo.tar.gz", "k" + binary.Id, 1, new string('d', 64), "signature", CancellationToken.None);
        var honest = Built(binary.Id, 'd');

        var otherArchive = await lifecycle.FinishAsync(builderA, Built(binary.Id, 'e'), CancellationToken.None);
        var badImage = await lifecycle.FinishAsync(builderA, honest with { Build = honest.Build! with { Image = "latest" } }, CancellationToken.None);
        var badName = await lifecycle.FinishAsync(builderA, honest with
            { Build = honest.Build! with { Binaries = new Dictionary<string, string> { ["../x"] = new string('b', 64) } } }, CancellationToken.None);

        Assert.Equal(Discarded("the build record names another archive than the one uploaded"), otherArchive);
        Assert.Equal(Discarded("malformed build record: image is a Docker image ID (sha256:...)"), badImage);
        Assert.Equal(Discarded("malformed build record: binaries are names with their SHA-256"), badName);
        Assert.Equal(JobState.Running, await db.Jobs.Where(j => j.Id == binary.Id).Select(j => j.State).SingleAsync());
    }

    [Fact]
    public async Task A_locked_queue_hands_out_nothing_until_it_is_unlocked()
    {
        await using var db = Db();
        var lifecycle = Lifecycle(db);

        await db.QueueLocks.ExecuteUpdateAsync(l => l.SetProperty(x => x.Locked, true));
        var whileLocked = await ClaimAsync(lifecycle, builderA, Kinds);
        await db.QueueLocks.ExecuteUpdateAsync(l => l.SetProperty(x => x.Locked, false));
        var afterwards = await ClaimAsync(lifecycle, builderA, Kinds);

        Assert.Null(whileLocked);
        Assert.NotNull(afterwards);
    }

    [Fact]
    public async Task The_database_refuses_a_job_spelled_outside_the_vocabulary()
    {
        await using var db = Db();
        var version = await db.Versions.Select(v => v.Id).FirstAsync();

        var state = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync(
            "UPDATE jobs SET state = 'done' WHERE version_id = {0}", version));
        var outcome = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync(
            "UPDATE jobs SET outcome = 'oom' WHERE version_id = {0}", version));

        Assert.Equal(("ck_jobs_state", "ck_jobs_outcome"), (state.ConstraintName, outcome.ConstraintName));
    }

    private static readonly ResultRecording Accepted = ResultRecording.Recorded;

    private static ResultRecording.Discarded Discarded(string reason) => new(reason);

    private static JobFinished Finished(long jobId, JobOutcome outcome, IReadOnlyList<string>? binaries = null, int? exitCode = 0, string? error = null) =>
        new(jobId, outcome, 1, exitCode, error, binaries, null);

    /// <summary>A successful binary or verify build whose archive's SHA-256 is 64 times <paramref name="archive"/>
    /// and whose one binary's is 64 times <paramref name="binary"/>.</summary>
    private static JobFinished Built(long jobId, char archive, char binary = 'b', string? image = null) =>
        new(jobId, JobOutcome.Succeeded, 1, 0, null, ["demo"], null, null,
            new BuildRecord(image ?? KnownImage, "rustc 1.95.0", "version = 4\n", new string(archive, 64),
                new Dictionary<string, string> { ["demo"] = new string(binary, 64) }));

    /// <summary>A metadata job and one binary job built by <paramref name="builder"/>: returns the artifact's id.</summary>
    private async Task<long> BuildOneAsync(BuildsRsDbContext db, JobLifecycle lifecycle, long builder)
    {
        var binary = await ClaimBinaryAsync(lifecycle, builder);
        Assert.Equal(ArtifactRecording.Recorded, await lifecycle.RecordArtifactAsync(binary!.Id, "demo.tar.gz", "k" + binary.Id, 1, new string('d', 64), "signature", CancellationToken.None));
        Assert.Equal(Accepted, await lifecycle.FinishAsync(builder, Built(binary.Id, 'd'), CancellationToken.None));
        return await db.Artifacts.Where(a => a.JobId == binary.Id).Select(a => a.Id).SingleAsync();
    }

    /// <summary>A version's binary job, held by <paramref name="builder"/> once it also classified the version.</summary>
    private async Task<Job?> ClaimBinaryAsync(JobLifecycle lifecycle, long builder)
    {
        var metadata = await ClaimAsync(lifecycle, builder, [JobKind.Metadata]);
        await lifecycle.FinishAsync(builder, Finished(metadata!.Id, JobOutcome.Succeeded, ["demo"]), CancellationToken.None);
        return await ClaimAsync(lifecycle, builder, [JobKind.Binary]);
    }

    /// <summary>Claims a job for <paramref name="builder"/>; returns its row as stored.</summary>
    private async Task<Job?> ClaimAsync(JobLifecycle lifecycle, long builder, IReadOnlyList<JobKind> kinds)
    {
        if (await lifecycle.ClaimAsync(builder, Targets, kinds, [[1, 2, 3]], CancellationToken.None) is not [var claimed])
        {
            return null;
        }
        await using var db = Db();
        return await db.Jobs.AsNoTracking().Include(j => j.Version).SingleAsync(j => j.Id == claimed.Id);
    }

    private BuildsRsDbContext Db() => PostgresServerFixture.CreateContext(connectionString);

    /// <summary>Runs the lease sweep until a lease (1 s here, on the database's clock) has run out; how many jobs it took.</summary>
    private static async Task<int> RequeueOnceExpiredAsync(JobLifecycle lifecycle)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int requeued;
        while ((requeued = await lifecycle.RequeueExpiredAsync(timeout.Token)) == 0)
        {
            await Task.Delay(100, timeout.Token);
        }
        return requeued;
    }

    private JobLifecycle Lifecycle(BuildsRsDbContext db) => new(db, Options.Create(options));
}
