using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BuildsRs.Tests.ApiTests;

/// <summary>The migrations build the whole schema on an empty database, and the database itself refuses duplicates.</summary>
public sealed class MigrationTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>, IAsyncLifetime
{
    private const string Checksum = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private BuildsRsDbContext db = null!;

    public async Task InitializeAsync()
    {
        db = PostgresServerFixture.CreateContext(await postgres.CreateDatabaseAsync());
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync() => await db.DisposeAsync();

    [Fact]
    public async Task All_migrations_apply_to_an_empty_database_and_leave_nothing_pending()
    {
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());

        var tables = await db.Database
            .SqlQueryRaw<string>("SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'public'")
            .ToListAsync();
        Assert.Superset(
            new HashSet<string> { "crates", "versions", "targets", "builders", "jobs", "job_logs", "artifacts", "daily_downloads", "registry_sync_state" },
            tables.ToHashSet());
        Assert.True(await db.Targets.AnyAsync(t => t.Triple == "x86_64-unknown-linux-gnu" && t.Enabled));
    }

    [Theory]
    [InlineData("Foo_bar", "foo-bar")]
    [InlineData("serde_json", "SERDE-JSON")]
    public async Task Crate_names_differing_only_in_case_or_separator_are_one_crate(string first, string second)
    {
        db.Crates.Add(new Crate { Name = first });
        await db.SaveChangesAsync();

        db.Crates.Add(new Crate { Name = second });
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        AssertUniqueViolation(error, "ix_crates_normalized_name");
        db.ChangeTracker.Clear();
        Assert.Equal([first], await db.Crates.Select(c => c.Name).ToListAsync());
    }

    [Fact]
    public async Task Normalized_name_is_computed_by_the_database_as_the_contracts_define_it()
    {
        db.Crates.Add(new Crate { Name = "My-Crate_Name" });
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        var stored = await db.Crates.SingleAsync();
        Assert.Equal(Contracts.CrateName.Normalize("My-Crate_Name"), stored.NormalizedName);
    }

    [Fact]
    public async Task The_same_job_cannot_be_inserted_twice_for_one_attempt()
    {
        var version = await AddVersionAsync();
        db.Jobs.Add(NewJob(version, JobKind.Metadata, target: null, attempt: 0, JobState.Succeeded));
        await db.SaveChangesAsync();

        db.Jobs.Add(NewJob(version, JobKind.Metadata, target: null, attempt: 0, JobState.Succeeded));
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        AssertUniqueViolation(error, "ix_jobs_version_id_kind_target_attempt");
    }

    [Fact]
    public async Task Two_live_jobs_for_the_same_work_are_refused_even_with_different_attempts()
    {
        var version = await AddVersionAsync();
        db.Jobs.Add(NewJob(version, JobKind.Binary, "x86_64-unknown-linux-gnu", attempt: 0, JobState.Queued));
        await db.SaveChangesAsync();

        db.Jobs.Add(NewJob(version, JobKind.Binary, "x86_64-unknown-linux-gnu", attempt: 1, JobState.Queued));
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        AssertUniqueViolation(error, "ix_jobs_one_live_per_work");
    }

    [Fact]
    public async Task A_rebuild_is_a_new_attempt_beside_the_finished_one()
    {
        var version = await AddVersionAsync();
        db.Jobs.Add(NewJob(version, JobKind.Binary, "x86_64-unknown-linux-gnu", attempt: 0, JobState.Failed));
        db.Jobs.Add(NewJob(version, JobKind.Binary, "x86_64-unknown-linux-gnu", attempt: 1, JobState.Queued));
        await db.SaveChangesAsync();

        Assert.Equal(2, await db.Jobs.CountAsync(j => j.VersionId == version.Id));
    }

    [Fact]
    public async Task A_binary_job_needs_a_known_target_and_a_metadata_job_has_none()
    {
        var version = await AddVersionAsync();
        db.Jobs.Add(NewJob(version, JobKind.Binary, "sparc-unknown-nowhere", attempt: 0, JobState.Queued));
        var unknownTarget = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, Assert.IsType<PostgresException>(unknownTarget.InnerException).SqlState);
        db.ChangeTracker.Clear();

        db.Jobs.Add(NewJob(version, JobKind.Metadata, "x86_64-unknown-linux-gnu", attempt: 0, JobState.Queued));
        var metadataWithTarget = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Equal("ck_jobs_target_matches_kind", Assert.IsType<PostgresException>(metadataWithTarget.InnerException).ConstraintName);
    }

    [Fact]
    public async Task An_artifact_file_is_recorded_once_per_job()
    {
        var version = await AddVersionAsync();
        var job = NewJob(version, JobKind.Binary, "x86_64-unknown-linux-gnu", attempt: 0, JobState.Succeeded);
        db.Jobs.Add(job);
        await db.SaveChangesAsync();

        db.Artifacts.Add(new Artifact { JobId = job.Id, FileName = "hexyl.tar.gz", StorageKey = "a", Size = 1, Sha256 = Checksum });
        db.Artifacts.Add(new Artifact { JobId = job.Id, FileName = "hexyl.tar.gz", StorageKey = "b", Size = 1, Sha256 = Checksum });
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        AssertUniqueViolation(error, "ix_artifacts_job_id_file_name");
    }

    [Fact]
    public async Task A_checksum_that_is_not_sha256_hex_is_refused()
    {
        var crate = new Crate { Name = "hexyl" };
        db.Crates.Add(crate);
        db.Versions.Add(new CrateVersion { Crate = crate, Version = "0.8.0", Checksum = "not-a-checksum" });

        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        Assert.Equal("ck_versions_checksum_hex", Assert.IsType<PostgresException>(error.InnerException).ConstraintName);
    }

    private async Task<CrateVersion> AddVersionAsync()
    {
        var version = new CrateVersion { Crate = new Crate { Name = "hexyl" }, Version = "0.8.0", Checksum = Checksum };
        db.Versions.Add(version);
        await db.SaveChangesAsync();
        return version;
    }

    private static Job NewJob(CrateVersion version, JobKind kind, string? target, int attempt, JobState state) =>
        new() { VersionId = version.Id, Kind = kind, Target = target, Attempt = attempt, State = state };

    private static void AssertUniqueViolation(DbUpdateException error, string constraint)
    {
        var postgresError = Assert.IsType<PostgresException>(error.InnerException);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, postgresError.SqlState);
        Assert.Equal(constraint, postgresError.ConstraintName);
    }
}
