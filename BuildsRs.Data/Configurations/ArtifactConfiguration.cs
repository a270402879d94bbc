using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class ArtifactConfiguration : IEntityTypeConfiguration<Artifact>
{
    public void Configure(EntityTypeBuilder<Artifact> artifact)
    {
        artifact.ToTable("artifacts", table =>
        {
            table.HasCheckConstraint("ck_artifacts_sha256_hex", "sha256 ~ '^[0-9a-f]{64}$'");
            table.HasCheckConstraint("ck_artifacts_size", "size >= 0");
        });
        artifact.Property(a => a.FileName).HasMaxLength(255);
        artifact.Property(a => a.StorageKey).HasMaxLength(1024);
        artifact.Property(a => a.Sha256).HasMaxLength(64).IsFixedLength();
        artifact.Property(a => a.Machine).HasMaxLength(32);
        artifact.Property(a => a.Linkage).HasMaxLength(16);
        artifact.Property(a => a.GlibcFloor).HasMaxLength(16);
        artifact.Property(a => a.Subsystem).HasMaxLength(16);
        artifact.Property(a => a.Signature).HasMaxLength(2000);
        artifact.Property(a => a.Binaries).HasColumnType("jsonb");
        artifact.Property(a => a.CreatedAt).HasDefaultValueSql("now()");
        artifact.HasIndex(a => new { a.JobId, a.FileName }).IsUnique();
        artifact.HasIndex(a => a.StorageKey).IsUnique();
        artifact.HasOne(a => a.Job).WithMany(j => j.Artifacts).OnDelete(DeleteBehavior.Cascade);
    }
}
