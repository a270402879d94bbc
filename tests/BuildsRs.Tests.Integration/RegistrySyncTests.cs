using System.Net;
using System.Text.Json;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Contracts.Registry;
using BuildsRs.Data;
using BuildsRs.Data.Bulk;
using BuildsRs.Data.Model;
using BuildsRs.RegistrySync.Git;
using BuildsRs.RegistrySync.Sync;
using BuildsRs.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BuildsRs.Tests.Integration;

/// <summary>RegistrySync against real Postgres and a local registry of real crates, changed with real cargo and git.</summary>
public sealed class RegistrySyncTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>, IAsyncLifetime
{
    private LocalRegistryFixture registry = null!;
    private RegistrySyncHarness sync = null!;
    private string connectionString = null!;

    public async Task InitializeAsync()
    {
        registry = await LocalRegistryFixture.StartAsync();
        connectionString = await postgres.CreateDatabaseAsync();
        await using (var db = Db())
        {
            await db.Database.MigrateAsync();
        }
        sync = new RegistrySyncHarness(connectionString, registry.GitIndexUrl, registry.SparseIndexUrl);
    }

    public async Task DisposeAsync()
    {
        await sync.DisposeAsync();
        await registry.DisposeAsync();
    }

    [Fact]
    public async Task A_full_import_equals_the_index_exactly()
    {
        var pass = await sync.GitPassAsync();

        Assert.Equal("full", pass.Mode);
        Assert.Equal(0, pass.MalformedLines);
        var index = ReadIndex();
        await using var db = Db();
        var stored = await db.Versions.Select(v => new { v.Crate.Name, v.Version, v.Checksum, v.Yanked }).ToListAsync();
        Assert.Equal(index.Select(l => l.Name!).Distinct().Count(), await db.Crates.CountAsync());
        Assert.Equal(
            index.Select(l => (l.Name!, l.Vers!, l.Cksum!, l.Yanked ?? false)).Order(),
            stored.Select(v => (v.Name, v.Version, v.Checksum, v.Yanked)).Order());
        Assert.True(index.Count > 250, $"the seeded registry has {index.Count} versions");
        Assert.Equal(index.Count(l => l.Yanked != true), await db.Jobs.CountAsync(j => j.Kind == JobKind.Metadata && j.State == JobState.Queued));
    }

    [Fact]
    public async Task A_version_published_with_cargo_is_in_the_database_with_one_metadata_job_after_one_pass()
    {
        await sync.GitPassAsync();

        await registry.PublishAsync("buildsrs-demo", "0.1.0");
        var pass = await sync.GitPassAsync();

        Assert.Equal("incremental", pass.Mode);
        Assert.Equal((1, 1, 1), (pass.Files, pass.Changes.VersionsAdded, pass.Changes.MetadataJobsQueued));
        await using var db = Db();
        var version = await db.Versions.Include(v => v.Crate).Include(v => v.Jobs).SingleAsync(v => v.Crate.Name == "buildsrs-demo");
        Assert.Equal("0.1.0", version.Version);
        Assert.NotNull(version.PublishedAt);
        var job = Assert.Single(version.Jobs);
        Assert.Equal((JobKind.Metadata, JobState.Queued, null), (job.Kind, job.State, job.Target));
        Assert.True(job.Priority > 0, "newly published versions go before the backlog of a full import");
    }

    [Fact]
    public async Task A_second_pass_and_a_full_reconcile_of_an_unchanged_index_change_nothing()
    {
        await sync.GitPassAsync();
        await registry.PublishAsync("buildsrs-demo", "0.1.0");
        await sync.GitPassAsync();
        var before = await SnapshotAsync();

        var again = await sync.GitPassAsync();
        await using (var db = Db())
        {
            // Forget the cursor: the next pass reconciles the whole index.
            await db.RegistrySyncStates.ExecuteUpdateAsync(s => s.SetProperty(x => x.Cursor, (string?)null));
        }
        var reconcile = await sync.GitPassAsync();

        Assert.Equal("none", again.Mode);
        Assert.Equal("full", reconcile.Mode);
        Assert.False(reconcile.Changes.ChangedAnything, reconcile.Changes.ToString());
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Yank_cancels_the_versions_queued_jobs_and_unyank_queues_it_again()
    {
        await sync.GitPassAsync();
        await registry.PublishAsync("buildsrs-demo", "0.1.0");
        await sync.GitPassAsync();

        await registry.CargoAsync(registry.CargoHome, "yank", "buildsrs-demo", "--version", "0.1.0", "--registry", "local");
        var yank = await sync.GitPassAsync();
        var yanked = await IsYankedAsync("buildsrs-demo", "0.1.0");
        var afterYank = await JobsAsync("buildsrs-demo");
        await registry.CargoAsync(registry.CargoHome, "yank", "buildsrs-demo", "--version", "0.1.0", "--undo", "--registry", "local");
        var unyank = await sync.GitPassAsync();
        var again = await sync.GitPassAsync();

        Assert.Equal((1, 0, 1), (yank.Changes.Yanked, yank.Changes.MetadataJobsQueued, yank.Changes.JobsCancelled));
        Assert.True(yanked);
        Assert.Equal([(0, JobState.Cancelled)], afterYank);
        Assert.Equal((1, 1), (unyank.Changes.Unyanked, unyank.Changes.MetadataJobsQueued));
        Assert.False(await IsYankedAsync("buildsrs-demo", "0.1.0"));
        Assert.Equal([(0, JobState.Cancelled), (1, JobState.Queued)], await JobsAsync("buildsrs-demo"));
        Assert.False(again.Changes.ChangedAnything);
    }

    [Fact]
    public async Task A_full_import_queues_each_crates_newest_version_first_newest_publications_first_and_older_versions_after_all_of_them()
    {
        foreach (var version in new[] { "0.1.0", "0.2.0", "0.3.0" })
        {
            await registry.PublishAsync("backfilled", version);
        }
        // Publish times are whole seconds: the last one in a later second.
        await WallClock.NextSecondAsync();
        await registry.PublishAsync("newest-publication", "1.0.0");

        var pass = await sync.GitPassAsync();

        Assert.Equal("full", pass.Mode);
        await using var db = Db();
        var queue = await db.Jobs.OrderByDescending(j => j.Priority).ThenBy(j => j.CreatedAt).ThenBy(j => j.Id)
            .Select(j => new { j.Version.Crate.Name, j.Version.Version, j.Priority }).ToListAsync();
        Assert.Equal(("newest-publication", "1.0.0", 0), (queue[0].Name, queue[0].Version, queue[0].Priority));
        Assert.Equal(("backfilled", "0.3.0", 0), (queue[1].Name, queue[1].Version, queue[1].Priority));
        Assert.Equal([("0.1.0", -5), ("0.2.0", -5)], queue.Where(j => j.Name == "backfilled" && j.Version != "0.3.0").Select(j => (j.Version, j.Priority)).Order());
        var lastNewest = queue.FindLastIndex(j => j.Priority == 0);
        var firstOlder = queue.FindIndex(j => j.Priority < 0);
        Assert.True(lastNewest < firstOlder, "every crate's newest version comes before any older one");
        Assert.True(lastNewest > 200, $"{lastNewest + 1} crates' newest versions come first");
    }

    [Fact]
    public async Task Without_publish_times_a_crates_later_index_lines_count_as_its_newer_versions()
    {
        await WriteIndexFileAsync("buildsrs-untimed", "buildsrs-untimed", 'd', "0.1.0", "0.2.0", "0.3.0");
        await CommitIndexAsync("A crate without publish times");

        var pass = await sync.GitPassAsync();

        Assert.Equal("full", pass.Mode);
        await using var db = Db();
        var queue = await db.Jobs.Where(j => j.Version.Crate.Name == "buildsrs-untimed")
            .OrderByDescending(j => j.Priority).ThenBy(j => j.CreatedAt).ThenBy(j => j.Id)
            .Select(j => new { j.Version.Version, j.Priority }).ToListAsync();
        Assert.Equal([("0.3.0", 0), ("0.2.0", -5), ("0.1.0", -5)], queue.Select(j => (j.Version, j.Priority)));
    }

    [Fact]
    public async Task A_family_that_publishes_many_crates_at_once_does_not_hold_a_lone_new_crate_up()
    {
        await sync.GitPassAsync();
        foreach (var member in "abcdefghij")
        {
            await registry.PublishAsync($"famtest-{member}", "1.0.0");
        }
        await registry.PublishAsync("lonely", "1.0.0");

        await sync.GitPassAsync();

        await using var db = Db();
        var queue = await db.Jobs.Where(j => j.Version.Crate.Name.StartsWith("famtest") || j.Version.Crate.Name == "lonely")
            .OrderByDescending(j => j.Priority).ThenBy(j => j.CreatedAt).ThenBy(j => j.Id).Select(j => new { j.Version.Crate.Name, j.Priority }).ToListAsync();
        Assert.Equal([10, 10, 10, 10, 10, 9, 9, 9, 9, 8, 8], queue.Select(j => j.Priority));
        Assert.Contains(queue.Take(5), j => j.Name == "lonely");
    }

    private async Task<List<(int Attempt, JobState State)>> JobsAsync(string crate)
    {
        await using var db = Db();
        var jobs = await db.Jobs.Where(j => j.Version.Crate.Name == crate).OrderBy(j => j.Attempt).Select(j => new { j.Attempt, j.State }).ToListAsync();
        return [.. jobs.Select(j => (j.Attempt, j.State))];
    }

    [Fact]
    public async Task A_version_first_seen_yanked_and_unyanked_later_gets_its_metadata_job_once()
    {
        await sync.GitPassAsync();
        await registry.PublishAsync("buildsrs-demo", "0.1.0");
        await registry.CargoAsync(registry.CargoHome, "yank", "buildsrs-demo", "--version", "0.1.0", "--registry", "local");
        var seenYanked = await sync.GitPassAsync();
        await registry.CargoAsync(registry.CargoHome, "yank", "buildsrs-demo", "--version", "0.1.0", "--undo", "--registry", "local");
        var unyank = await sync.GitPassAsync();
        await using (var db = Db())
        {
            // Forget the cursor: a full reconcile must not queue it again.
            await db.RegistrySyncStates.ExecuteUpdateAsync(s => s.SetProperty(x => x.Cursor, (string?)null));
        }
        var reconcile = await sync.GitPassAsync();

        Assert.Equal((1, 0), (seenYanked.Changes.VersionsAdded, seenYanked.Changes.MetadataJobsQueued));
        Assert.Equal((1, 1), (unyank.Changes.Unyanked, unyank.Changes.MetadataJobsQueued));
        Assert.Equal(0, reconcile.Changes.MetadataJobsQueued);
        await using var check = Db();
        var job = await check.Jobs.SingleAsync(j => j.Version.Crate.Name == "buildsrs-demo");
        Assert.Equal((JobKind.Metadata, JobState.Queued), (job.Kind, job.State));
        Assert.True(job.Priority > 0, "it is queued as a newly published version is");
    }

    [Fact]
    public async Task A_version_the_index_stops_listing_is_marked_removed_with_its_queued_jobs_cancelled_and_keeps_its_records()
    {
        await sync.GitPassAsync();
        await registry.PublishAsync("buildsrs-demo", "0.1.0");
        await registry.PublishAsync("buildsrs-demo", "0.2.0");
        await registry.PublishAsync("buildsrs-gone", "1.0.0");
        await sync.GitPassAsync();

        await DeleteFromIndexAsync("buildsrs-demo", "0.1.0");
        await DeleteFromIndexAsync("buildsrs-gone", "1.0.0");
        var pass = await sync.GitPassAsync();

        Assert.Equal((2, 2), (pass.Changes.VersionsRemoved, pass.Changes.JobsCancelled));
        await using var db = Db();
        Assert.Equal(["0.2.0"], await db.Versions.Where(v => v.Crate.Name == "buildsrs-demo" && v.RemovedAt == null).Select(v => v.Version).ToListAsync());
        var gone = await db.Versions.Where(v => v.RemovedAt != null).Select(v => v.Crate.Name + " " + v.Version).OrderBy(n => n).ToListAsync();
        Assert.Equal(["buildsrs-demo 0.1.0", "buildsrs-gone 1.0.0"], gone);
        Assert.Equal([JobState.Cancelled, JobState.Cancelled],
            await db.Jobs.Where(j => j.Version.RemovedAt != null).Select(j => j.State).ToListAsync());
        Assert.Equal(ReadIndex().Count, await db.Versions.CountAsync(v => v.RemovedAt == null));
    }

    [Fact]
    public async Task A_sparse_index_that_answers_404_for_a_while_loses_nothing_and_the_crate_comes_back_with_its_history()
    {
        await sync.GitPassAsync();
        await using (var db = Db())
        {
            // A build that cannot be made again: its artifact, signed and stored.
            var version = await db.Versions.FirstAsync(v => v.Crate.Name == "hexyl");
            var built = new Job { VersionId = version.Id, Kind = JobKind.Binary, Target = "x86_64-unknown-linux-gnu", State = JobState.Succeeded };
            db.Artifacts.Add(new Artifact { Job = built, FileName = "hexyl.tar.gz", StorageKey = "hexyl-key", Sha256 = new string('d', 64), Signature = "signed" });
            await db.SaveChangesAsync();
        }
        var history = await HistoryAsync("hexyl");
        await using (var outage = await StaticSiteAsync(HttpStatusCode.NotFound))
        await using (var faulty = new RegistrySyncHarness(connectionString, registry.GitIndexUrl, new Uri(outage.Url, "index/")))
        {
            var lost = await faulty.SparseRefreshAsync("hexyl");
            Assert.True(lost.Changes.VersionsRemoved > 0);
        }
        await using (var db = Db())
        {
            Assert.All(await db.Versions.Where(v => v.Crate.Name == "hexyl").Select(v => v.RemovedAt).ToListAsync(), at => Assert.NotNull(at));
        }

        var back = await sync.SparseRefreshAsync("hexyl");

        Assert.Equal(history.Count, back.Changes.VersionsRestored);
        Assert.Equal(history, await HistoryAsync("hexyl"));
    }

    [Fact]
    public async Task A_commit_that_drops_most_of_the_index_is_held_with_degraded_health_until_an_operator_confirms_it()
    {
        await sync.GitPassAsync();
        var before = await SnapshotAsync();
        var cursor = await CursorAsync();
        foreach (var file in Directory.EnumerateFiles(registry.IndexDirectory, "*", SearchOption.AllDirectories)
            .Where(f => IndexPath.CrateNameOf(Path.GetRelativePath(registry.IndexDirectory, f)) is { } name && name != "hexyl").ToList())
        {
            File.Delete(file);
        }
        await CommitIndexAsync("Lose most files");

        var held = await Assert.ThrowsAsync<RemovalsHeldException>(sync.GitPassAsync);

        Assert.True(held.Removals > 200, held.Message);
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(0, await RemovedCountAsync());
        Assert.Equal(cursor, await CursorAsync());
        var status = sync.Services.GetRequiredService<SyncStatus>();
        using var worker = new RegistrySyncWorker(sync.Services.GetRequiredService<IServiceScopeFactory>(),
            sync.Services.GetRequiredService<IOptions<RegistryOptions>>(), status, sync.Services.GetRequiredService<SyncTelemetry>(),
            NullLogger<RegistrySyncWorker>.Instance);
        await worker.StartAsync(CancellationToken.None);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (status.HeldRemovals is null)
            {
                await Task.Delay(100, timeout.Token);
            }
            var health = await new SyncHealthCheck(status).CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Degraded, health.Status);
            Assert.Contains($"no longer lists {held.Removals} of the {held.Covered} versions", health.Description, StringComparison.Ordinal);
            Assert.Equal(0, await RemovedCountAsync());

            Assert.True(status.ConfirmRemovals());
            while (status.HeldRemovals is not null || status.LastSuccess is null)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
        await using var db = Db();
        Assert.Equal(ReadIndex().Count, await db.Versions.CountAsync(v => v.RemovedAt == null));
        Assert.Equal(before.Count, await db.Versions.CountAsync());
        Assert.False(status.ConfirmRemovals(), "nothing is held any more");
    }

    [Fact]
    public async Task A_corrupt_line_is_skipped_and_counted_and_nothing_else_is_lost()
    {
        await sync.GitPassAsync();
        var before = await SnapshotAsync();
        var hexyl = Path.Combine(registry.IndexDirectory, IndexPath.For("hexyl"));
        var valid = JsonSerializer.Serialize(new IndexLine
        {
            Name = "hexyl", Vers = "9.9.9", Deps = [], Cksum = new string('c', 64), Features = [],
        }, RegistryJsonContext.Default.IndexLine);
        await File.AppendAllTextAsync(hexyl, "{\"name\":\"hexyl\",\"vers\":\"0.9.0\",\"cksum\": oops\n" + valid + "\n");
        await File.WriteAllTextAsync(Path.Combine(registry.IndexDirectory, IndexPath.For("lscolors")), "this is not json\n");
        await registry.GitAsync("commit", "--quiet", "-am", "Corrupt two files");
        await registry.GitAsync("update-server-info");

        var pass = await sync.GitPassAsync();

        Assert.Equal(2, pass.MalformedLines);
        Assert.Equal((1, 0), (pass.Changes.VersionsAdded, pass.Changes.VersionsRemoved));
        var after = await SnapshotAsync();
        Assert.Equal(before.Count + 1, after.Count);
        Assert.Empty(before.Except(after));
        Assert.Contains(("hexyl", "9.9.9", false), after);
    }

    [Fact]
    public async Task Two_index_files_for_one_crate_keep_the_first_and_the_pass_goes_on()
    {
        await sync.GitPassAsync();
        await WriteTwinCrateFilesAsync();
        await CommitIndexAsync("Two files for one crate");

        var pass = await sync.GitPassAsync();

        Assert.Equal((1, 1), (pass.MalformedLines, pass.Changes.VersionsAdded));
        await using var db = Db();
        Assert.Equal(1, await db.Crates.CountAsync(c => c.NormalizedName == "buildsrs_twin"));
    }

    [Fact]
    public async Task A_first_import_skips_a_corrupt_line_and_a_second_file_for_one_crate_and_a_reconcile_then_changes_nothing()
    {
        var valid = ReadIndex();
        await File.AppendAllTextAsync(Path.Combine(registry.IndexDirectory, IndexPath.For("hexyl")), "{\"name\":\"hexyl\",\"cksum\": oops\n");
        await WriteTwinCrateFilesAsync();
        // Index paths are lower case; the crate is named as its lines spell it.
        await WriteIndexFileAsync("buildsrs-cased", "BuildsRs-Cased", 'f', "1.0.0");
        await CommitIndexAsync("A corrupt line, two files for one crate, a crate spelled in capitals");

        var first = await sync.GitPassAsync();
        await using (var db = Db())
        {
            await db.RegistrySyncStates.ExecuteUpdateAsync(s => s.SetProperty(x => x.Cursor, (string?)null));
        }
        var reconcile = await sync.GitPassAsync();

        Assert.Equal(("full", 2), (first.Mode, first.MalformedLines));
        Assert.Equal((valid.Count + 2, valid.Select(l => l.Name).Distinct().Count() + 2, valid.Count(l => l.Yanked != true) + 2),
            (first.Changes.VersionsAdded, first.Changes.CratesAdded, first.Changes.MetadataJobsQueued));
        Assert.Equal(("full", 2), (reconcile.Mode, reconcile.MalformedLines));
        Assert.False(reconcile.Changes.ChangedAnything, reconcile.Changes.ToString());
        await using var check = Db();
        Assert.Equal(valid.Count(l => l.Name == "hexyl"), await check.Versions.CountAsync(v => v.Crate.Name == "hexyl"));
        Assert.Equal(1, await check.Crates.CountAsync(c => c.NormalizedName == "buildsrs_twin"));
        Assert.Equal("BuildsRs-Cased", await check.Crates.Where(c => c.NormalizedName == "buildsrs_cased").Select(c => c.Name).SingleAsync());
    }

    [Fact]
    public async Task A_first_import_leaves_every_index_and_key_as_the_migrations_made_them_and_they_hold()
    {
        var migrated = await IndexesAndKeysAsync();

        var pass = await sync.GitPassAsync();

        Assert.Equal("full", pass.Mode);
        Assert.True(pass.Changes.MetadataJobsQueued > 250, $"{pass.Changes.MetadataJobsQueued} jobs queued");
        Assert.Equal(migrated, await IndexesAndKeysAsync());
        await using var db = Db();
        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync(
            "INSERT INTO versions (crate_id, version, checksum, yanked, features, dependency_count) SELECT crate_id, version, checksum, false, features, 0 FROM versions LIMIT 1"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);
        var orphan = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync(
            "INSERT INTO jobs (version_id, kind, state, priority, attempt, claims) VALUES (-1, 'metadata', 'failed', 0, 1, 0)"));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, orphan.SqlState);
        var twice = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync(
            "INSERT INTO jobs (version_id, kind, state, priority, attempt, claims) SELECT version_id, kind, state, priority, attempt + 1, 0 FROM jobs LIMIT 1"));
        Assert.Equal((PostgresErrorCodes.UniqueViolation, "ix_jobs_one_live_per_work"), (twice.SqlState, twice.ConstraintName));
    }

    [Fact]
    public async Task A_first_import_queues_the_same_backlog_in_the_same_order_as_a_staged_import_of_the_same_index()
    {
        static IndexLine Line(string crate, string version, int minute, bool yanked = false) => new()
        {
            Name = crate, Vers = version, Deps = [], Cksum = new string('c', 64), Features = [], Yanked = yanked,
            PubTime = new DateTimeOffset(2026, 11, 1, 12, minute, 0, TimeSpan.Zero),
        };
        // Publish times shared across crates and within one, a yanked newest version, and a crate without any.
        await WriteIndexLinesAsync("buildsrs-timed-a", Line("buildsrs-timed-a", "1.0.0", 1), Line("buildsrs-timed-a", "1.1.0", 3),
            Line("buildsrs-timed-a", "2.0.0", 5, yanked: true));
        await WriteIndexLinesAsync("buildsrs-timed-b", Line("buildsrs-timed-b", "0.1.0", 2), Line("buildsrs-timed-b", "0.2.0", 3));
        await WriteIndexLinesAsync("buildsrs-timed-c", Line("buildsrs-timed-c", "1.0.0", 4), Line("buildsrs-timed-c", "1.0.1", 4),
            Line("buildsrs-timed-c", "0.9.0", 1));
        await WriteIndexFileAsync("buildsrs-untimed", "buildsrs-untimed", 'd', "0.1.0", "0.2.0", "0.3.0");
        await CommitIndexAsync("Crates with and without publish times");

        var first = await sync.GitPassAsync();
        var firstQueue = await BacklogAsync();
        await StartOverWithOneCrateAsync();
        var staged = await sync.GitPassAsync();
        var stagedQueue = await BacklogAsync();

        Assert.Equal(("full", "full"), (first.Mode, staged.Mode));
        Assert.Equal(first.Changes.MetadataJobsQueued, staged.Changes.MetadataJobsQueued);
        Assert.Equal(stagedQueue, firstQueue);
        Assert.Equal(
            [
                "0 2026-11-01T12:04:00.0000000+00:00: buildsrs-timed-c 1.0.1",
                "0 2026-11-01T12:03:00.0000000+00:00: buildsrs-timed-a 1.1.0; buildsrs-timed-b 0.2.0",
            ],
            firstQueue[..2]);
        Assert.Equal(
            [
                "-5 2026-11-01T12:04:00.0000000+00:00: buildsrs-timed-c 1.0.0",
                "-5 2026-11-01T12:02:00.0000000+00:00: buildsrs-timed-b 0.1.0",
                "-5 2026-11-01T12:01:00.0000000+00:00: buildsrs-timed-a 1.0.0; buildsrs-timed-c 0.9.0",
            ],
            firstQueue.Where(step => step.StartsWith("-5 2026", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Without_older_versions_both_import_paths_queue_only_each_crates_newest_even_when_the_priorities_are_equal()
    {
        await using var newestOnly = new RegistrySyncHarness(connectionString, registry.GitIndexUrl, registry.SparseIndexUrl, jobs =>
        {
            jobs.BackfillOlderVersions = false;
            jobs.BackfillOlderPriority = jobs.BackfillPriority;
        });
        var crates = ReadIndex().Where(l => l.Yanked != true).Select(l => l.Name).Distinct().Count();

        var first = await newestOnly.GitPassAsync();
        await StartOverWithOneCrateAsync();
        var staged = await newestOnly.GitPassAsync();

        Assert.Equal((crates, crates), (first.Changes.MetadataJobsQueued, staged.Changes.MetadataJobsQueued));
        await using var db = Db();
        Assert.Equal(crates, await db.Jobs.Select(j => j.Version.CrateId).Distinct().CountAsync());
    }

    [Fact]
    public async Task A_force_pushed_index_is_reconciled_without_losing_or_duplicating_anything()
    {
        var seeded = (await registry.GitAsync("rev-parse", "HEAD")).Trim();
        await sync.GitPassAsync();
        await registry.PublishAsync("buildsrs-demo", "0.1.0");
        await sync.GitPassAsync();

        // Rewrite history: drop the publish, and commit a different change in its place.
        await registry.GitAsync("reset", "--quiet", "--hard", seeded);
        File.Delete(Path.Combine(registry.IndexDirectory, IndexPath.For("rustdoc-stripper")));
        var added = JsonSerializer.Serialize(new IndexLine
        {
            Name = "buildsrs-rewritten", Vers = "1.0.0", Deps = [], Cksum = new string('d', 64), Features = [],
        }, RegistryJsonContext.Default.IndexLine);
        var path = Path.Combine(registry.IndexDirectory, IndexPath.For("buildsrs-rewritten"));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, added + "\n");
        await CommitIndexAsync("Rewritten history");

        var pass = await sync.GitPassAsync();

        Assert.Equal("full", pass.Mode);
        Assert.Equal((1, 2), (pass.Changes.VersionsAdded, pass.Changes.VersionsRemoved));
        var index = ReadIndex();
        await using var db = Db();
        Assert.Equal(
            index.Select(l => (l.Name!, l.Vers!)).Order(),
            (await db.Versions.Where(v => v.RemovedAt == null).Select(v => new { v.Crate.Name, v.Version }).ToListAsync()).Select(v => (v.Name, v.Version)).Order());
        Assert.Equal(1, await db.Jobs.CountAsync(j => j.Version.Crate.Name == "buildsrs-rewritten"));
        Assert.Equal(await db.Versions.CountAsync(v => !v.Yanked), await db.Jobs.CountAsync());
    }

    [Fact]
    public async Task Over_the_smart_protocol_a_pass_fetches_the_change_and_leaves_a_complete_ordinary_mirror()
    {
        Assert.False(await GitProtocol.IsSmartAsync(registry.GitIndexUrl, CancellationToken.None), "the local registry serves dumb HTTP");
        Assert.False(await GitProtocol.IsSmartAsync("http://127.0.0.1:9/git/index", CancellationToken.None), "an unreachable registry");
        Assert.True(await GitProtocol.IsSmartAsync(registry.IndexDirectory, CancellationToken.None), "a local path");
        await using var smart = new RegistrySyncHarness(connectionString, registry.IndexDirectory, registry.SparseIndexUrl);

        var full = await smart.GitPassAsync();
        await registry.PublishAsync("buildsrs-demo", "0.1.0");
        var incremental = await smart.GitPassAsync();

        Assert.Equal(("full", "incremental"), (full.Mode, incremental.Mode));
        Assert.Equal((1, 1), (incremental.Files, incremental.Changes.VersionsAdded));
        // Fetched as from a promisor remote (its packs say so), yet not a partial clone afterwards: nothing would be
        // fetched on demand, and every object of every commit is there.
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(smart.MirrorDirectory, "objects", "pack"), "*.promisor"));
        var config = await registry.GitAsync("--git-dir", smart.MirrorDirectory, "config", "--list");
        Assert.DoesNotContain("promisor", config, StringComparison.Ordinal);
        Assert.DoesNotContain("partialclone", config, StringComparison.Ordinal);
        await registry.GitAsync("--git-dir", smart.MirrorDirectory, "fsck", "--connectivity-only", "--no-progress");
        await using var db = Db();
        Assert.Equal(ReadIndex().Count, await db.Versions.CountAsync());
    }

    [Fact]
    public async Task Sparse_refresh_applies_changes_answers_304_for_unchanged_files_and_ignores_unknown_crates()
    {
        await sync.GitPassAsync();
        await registry.CargoAsync(registry.CargoHome, "yank", "hexyl", "--version", "0.8.0", "--registry", "local");

        var first = await sync.SparseRefreshAsync("hexyl", "no-such-crate");
        var second = await sync.SparseRefreshAsync("hexyl");

        Assert.Equal((2, 1), (first.Files, first.Changes.Yanked));
        Assert.Equal(0, first.Changes.VersionsRemoved);
        Assert.True(await IsYankedAsync("hexyl", "0.8.0"));
        Assert.Equal(0, second.Files);
        Assert.False(second.Changes.ChangedAnything);
    }

    [Fact]
    public async Task An_unreachable_registry_fails_the_pass_cleanly_and_reports_degraded_health_while_retrying()
    {
        await using var unreachable = new RegistrySyncHarness(connectionString, "http://127.0.0.1:9/git/index", new Uri("http://127.0.0.1:9/index/"));

        await Assert.ThrowsAsync<GitException>(unreachable.GitPassAsync);

        var status = unreachable.Services.GetRequiredService<SyncStatus>();
        using var worker = new RegistrySyncWorker(unreachable.Services.GetRequiredService<IServiceScopeFactory>(),
            unreachable.Services.GetRequiredService<IOptions<RegistryOptions>>(), status, unreachable.Services.GetRequiredService<SyncTelemetry>(),
            NullLogger<RegistrySyncWorker>.Instance);
        await worker.StartAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (status.ConsecutiveFailures < 2)
        {
            await Task.Delay(100, timeout.Token);
        }
        await worker.StopAsync(CancellationToken.None);

        var health = await new SyncHealthCheck(status).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("registry unreachable", health.Description, StringComparison.Ordinal);
        await using var db = Db();
        Assert.Equal(0, await db.Versions.CountAsync());
    }

    /// <summary>Index files for foo_bar and foo-bar: one crate, which a registry must not have twice.</summary>
    private async Task WriteTwinCrateFilesAsync()
    {
        await WriteIndexFileAsync("buildsrs_twin", "buildsrs_twin", 'e', "1.0.0");
        await WriteIndexFileAsync("buildsrs-twin", "buildsrs-twin", 'e', "1.0.0");
    }

    /// <summary>Writes the index file at <paramref name="pathName"/>'s path: one line per version, without publish
    /// times, naming the crate <paramref name="lineName"/>.</summary>
    private Task WriteIndexFileAsync(string pathName, string lineName, char checksum, params string[] versions) =>
        WriteIndexLinesAsync(pathName, [.. versions.Select(version => new IndexLine
        {
            Name = lineName, Vers = version, Deps = [], Cksum = new string(checksum, 64), Features = [],
        })]);

    private async Task WriteIndexLinesAsync(string pathName, params IndexLine[] lines)
    {
        var path = Path.Combine(registry.IndexDirectory, IndexPath.For(pathName));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllLinesAsync(path, lines.Select(line => JsonSerializer.Serialize(line, RegistryJsonContext.Default.IndexLine)));
    }

    /// <summary>Commits every change of the index's work tree and publishes it to the registry's dumb-HTTP clients.</summary>
    private async Task CommitIndexAsync(string message)
    {
        await registry.GitAsync("add", "--all");
        await registry.GitAsync("commit", "--quiet", "-m", message);
        await registry.GitAsync("update-server-info");
    }

    private BuildsRsDbContext Db() => PostgresServerFixture.CreateContext(connectionString);

    /// <summary>Empties the database but for one crate without versions, so that the next import is a staged one.</summary>
    private async Task StartOverWithOneCrateAsync()
    {
        await using var db = Db();
        await db.Database.ExecuteSqlRawAsync("TRUNCATE crates, registry_sync_state CASCADE; INSERT INTO crates (name) VALUES ('buildsrs-placeholder')");
    }

    /// <summary>The queue in the claim's order, as steps of equal priority and publish time: which of two crates'
    /// versions published in the same second goes first is the import's to choose, a crate's own order is not.</summary>
    private async Task<List<string>> BacklogAsync()
    {
        await using var db = Db();
        var queue = await db.Jobs.OrderByDescending(j => j.Priority).ThenBy(j => j.CreatedAt).ThenBy(j => j.Id)
            .Select(j => new { j.Priority, j.Version.PublishedAt, j.Version.Crate.Name, j.Version.Version }).ToListAsync();
        var steps = new List<string>();
        for (var start = 0; start < queue.Count;)
        {
            var end = queue.FindIndex(start, j => (j.Priority, j.PublishedAt) != (queue[start].Priority, queue[start].PublishedAt));
            var step = queue[start..(end < 0 ? queue.Count : end)];
            steps.Add($"{step[0].Priority} {step[0].PublishedAt:O}: " + string.Join("; ", step.GroupBy(j => j.Name)
                .OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {string.Join(",", c.Select(j => j.Version))}")));
            start = end < 0 ? queue.Count : end;
        }
        return steps;
    }

    /// <summary>Every index (and whether it is valid) and every constraint of the tables a first import fills.</summary>
    private async Task<List<string>> IndexesAndKeysAsync()
    {
        await using var db = Db();
        return await db.Database.SqlQueryRaw<string>("""
            SELECT pg_get_indexdef(indexrelid) || CASE WHEN indisvalid AND indisready THEN '' ELSE ' (not valid)' END AS "Value"
            FROM pg_index WHERE indrelid IN ('crates'::regclass, 'versions'::regclass, 'jobs'::regclass)
            UNION ALL
            SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' (not validated)' END
            FROM pg_constraint WHERE conrelid IN ('crates'::regclass, 'versions'::regclass, 'jobs'::regclass)
            ORDER BY 1
            """).ToListAsync();
    }

    private List<IndexLine> ReadIndex() =>
        Directory.EnumerateFiles(registry.IndexDirectory, "*", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(registry.IndexDirectory, file))
            .Where(path => IndexPath.CrateNameOf(path) is not null)
            .SelectMany(path => File.ReadAllLines(Path.Combine(registry.IndexDirectory, path)))
            .Select(line => JsonSerializer.Deserialize(line, RegistryJsonContext.Default.IndexLine)!)
            .ToList();

    private async Task<List<(string, string, bool)>> SnapshotAsync()
    {
        await using var db = Db();
        return (await db.Versions.Select(v => new { v.Crate.Name, v.Version, v.Yanked }).ToListAsync())
            .Select(v => (v.Name, v.Version, v.Yanked)).Order().ToList();
    }

    /// <summary>A crate's listed versions with what hangs off them (their jobs, and the artifacts and signatures of
    /// those), which a registry's wrong answer must not take away.</summary>
    private async Task<List<string>> HistoryAsync(string crate)
    {
        await using var db = Db();
        return (await db.Versions.Where(v => v.Crate.Name == crate && v.RemovedAt == null)
            .Select(v => new
            {
                v.Id, v.Version,
                Jobs = v.Jobs.OrderBy(j => j.Id).Select(j => j.Id + string.Concat(j.Artifacts.Select(a => " " + a.StorageKey + " " + a.Signature))).ToList(),
            }).ToListAsync())
            .Select(v => $"{v.Id} {v.Version} {string.Join(",", v.Jobs)}").Order().ToList();
    }

    private async Task<int> RemovedCountAsync()
    {
        await using var db = Db();
        return await db.Versions.CountAsync(v => v.RemovedAt != null);
    }

    private async Task<string?> CursorAsync()
    {
        await using var db = Db();
        return await db.RegistrySyncStates.Select(s => s.Cursor).SingleOrDefaultAsync();
    }

    /// <summary>A registry host that answers every request with <paramref name="status"/>: a CDN having a bad day.</summary>
    private static Task<LoopbackSite> StaticSiteAsync(HttpStatusCode status) =>
        LoopbackSite.StartAsync(app => app.Run(context =>
        {
            context.Response.StatusCode = (int)status;
            return Task.CompletedTask;
        }));

    private async Task<bool> IsYankedAsync(string crate, string version)
    {
        await using var db = Db();
        return await db.Versions.Where(v => v.Crate.Name == crate && v.Version == version).Select(v => v.Yanked).SingleAsync();
    }

    private async Task DeleteFromIndexAsync(string crate, string version)
    {
        using var http = new HttpClient { BaseAddress = registry.Url };
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/v1/crates/{crate}/{version}");
        request.Headers.TryAddWithoutValidation("Authorization", LocalRegistryFixture.Token);
        (await http.SendAsync(request)).EnsureSuccessStatusCode();
    }
}
