using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> job)
    {
        job.ToTable("jobs", table =>
        {
            table.HasCheckConstraint("ck_jobs_target_matches_kind", "(kind = 'metadata') = (target IS NULL)");
            table.HasCheckConstraint("ck_jobs_running_has_lease", "state <> 'running' OR (lease_expires_at IS NOT NULL AND builder_id IS NOT NULL)");
        });
        job.Property(j => j.Kind).HasConversion<SnakeCaseEnumConverter<JobKind>>().HasMaxLength(20);
        job.Property(j => j.State).HasConversion<SnakeCaseEnumConverter<JobState>>().HasMaxLength(20);
        job.Property(j => j.Outcome).HasConversion<SnakeCaseEnumConverter<OutcomeClass>>().HasMaxLength(30);
        job.Property(j => j.Target).HasMaxLength(100);
        job.Property(j => j.CreatedAt).HasDefaultValueSql("now()");

        job.HasOne(j => j.Version).WithMany(v => v.Jobs).OnDelete(DeleteBehavior.Cascade);
        job.HasOne<Target>().WithMany().HasForeignKey(j => j.Target).OnDelete(DeleteBehavior.Restrict);
        job.HasOne(j => j.Builder).WithMany().OnDelete(DeleteBehavior.SetNull);

        // One row per version x kind x target x attempt; metadata jobs have no target, so NULLs must collide too.
        job.HasIndex(j => new { j.VersionId, j.Kind, j.Target, j.Attempt }).IsUnique().AreNullsDistinct(false);
        // Never two live jobs for the same work, whatever their attempt numbers.
        job.HasIndex(j => new { j.VersionId, j.Kind, j.Target }, "ix_jobs_one_live_per_work").HasDatabaseName("ix_jobs_one_live_per_work")
            .IsUnique().AreNullsDistinct(false).HasFilter("state IN ('queued', 'running')");
        // The claim walks queued jobs in exactly its ORDER BY and stops at the first one the builder can take: a
        // constant cost per claim, where an index led by the target made Postgres sort the whole queue every time.
        job.HasIndex(j => new { j.Priority, j.CreatedAt, j.Id }, "ix_jobs_claim").HasDatabaseName("ix_jobs_claim")
            .IsDescending(true, false, false).HasFilter("state = 'queued'");
        // Lease expiry sweep.
        job.HasIndex(j => j.LeaseExpiresAt, "ix_jobs_lease").HasDatabaseName("ix_jobs_lease").HasFilter("state = 'running'");
        job.HasIndex(j => j.BuilderId);
        job.HasIndex(j => j.FinishedAt);
    }
}
