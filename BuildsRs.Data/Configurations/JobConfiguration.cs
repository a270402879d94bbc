using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using static BuildsRs.Contracts.EnumText;

namespace BuildsRs.Data.Configurations;

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    private static readonly string Queued = Sql(JobState.Queued);
    private static readonly string Running = Sql(JobState.Running);

    private static string AllOf<TEnum>() where TEnum : struct, Enum => string.Join(", ", Enum.GetValues<TEnum>().Select(Sql));

    public void Configure(EntityTypeBuilder<Job> job)
    {
        job.ToTable("jobs", table =>
        {
            table.HasCheckConstraint("ck_jobs_target_matches_kind", $"(kind = {Sql(JobKind.Metadata)}) = (target IS NULL)");
            table.HasCheckConstraint("ck_jobs_verify_has_artifact", $"(kind = {Sql(JobKind.Verify)}) = (artifact_id IS NOT NULL)");
            table.HasCheckConstraint("ck_jobs_running_has_lease", $"state <> {Running} OR (lease_expires_at IS NOT NULL AND builder_id IS NOT NULL)");
            // The vocabulary is the enums': a row spelled any other way is refused, whoever writes it.
            table.HasCheckConstraint("ck_jobs_state", $"state IN ({AllOf<JobState>()})");
            table.HasCheckConstraint("ck_jobs_kind", $"kind IN ({AllOf<JobKind>()})");
            table.HasCheckConstraint("ck_jobs_outcome", $"outcome IN ({AllOf<JobOutcome>()})");
        });
        job.Property(j => j.Kind).HasConversion<SnakeCaseEnumConverter<JobKind>>().HasMaxLength(20);
        job.Property(j => j.State).HasConversion<SnakeCaseEnumConverter<JobState>>().HasMaxLength(20);
        job.Property(j => j.Outcome).HasConversion<SnakeCaseEnumConverter<JobOutcome>>().HasMaxLength(30);
        job.Property(j => j.Target).HasMaxLength(100);
        job.Property(j => j.TraceParent).HasMaxLength(55);
        job.Property(j => j.BuildSettings).HasColumnType("jsonb");
        job.Property(j => j.BuilderImage).HasMaxLength(100);
        job.Property(j => j.Toolchain).HasMaxLength(200);
        job.Property(j => j.LockfileSha256).HasMaxLength(64).IsFixedLength();
        job.HasOne<Lockfile>().WithMany().HasForeignKey(j => j.LockfileSha256).OnDelete(DeleteBehavior.Restrict);
        // A verify job goes with the artifact it checks.
        job.HasOne(j => j.VerifiedArtifact).WithMany().HasForeignKey(j => j.ArtifactId).OnDelete(DeleteBehavior.Cascade);
        job.Property(j => j.CreatedAt).HasDefaultValueSql("now()");

        job.HasOne(j => j.Version).WithMany(v => v.Jobs).OnDelete(DeleteBehavior.Cascade);
        job.HasOne<Target>().WithMany().HasForeignKey(j => j.Target).OnDelete(DeleteBehavior.Restrict);
        job.HasOne(j => j.Builder).WithMany().OnDelete(DeleteBehavior.SetNull);

        // One row per version x kind x target x attempt; metadata jobs have no target, so NULLs must collide too.
        job.HasIndex(j => new { j.VersionId, j.Kind, j.Target, j.Attempt }).IsUnique().AreNullsDistinct(false);
        // Never two live jobs for the same work, whatever their attempt numbers.
        job.HasIndex(j => new { j.VersionId, j.Kind, j.Target }, "ix_jobs_one_live_per_work").HasDatabaseName("ix_jobs_one_live_per_work")
            .IsUnique().AreNullsDistinct(false).HasFilter($"state IN ({Queued}, {Running})");
        // The claim walks queued jobs in exactly its ORDER BY and stops at the first one the builder can take: a
        // constant cost per claim, where an index led by the target made Postgres sort the whole queue every time.
        job.HasIndex(j => new { j.Priority, j.CreatedAt, j.Id }, "ix_jobs_claim").HasDatabaseName("ix_jobs_claim")
            .IsDescending(true, false, false).HasFilter($"state = {Queued}");
        // Lease expiry sweep.
        job.HasIndex(j => j.LeaseExpiresAt, "ix_jobs_lease").HasDatabaseName("ix_jobs_lease").HasFilter($"state = {Running}");
        job.HasIndex(j => j.BuilderId);
        job.HasIndex(j => j.FinishedAt);
    }
}
