using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class ArtifactVerificationConfiguration : IEntityTypeConfiguration<ArtifactVerification>
{
    public void Configure(EntityTypeBuilder<ArtifactVerification> verification)
    {
        verification.ToTable("artifact_verifications");
        verification.Property(v => v.ArchiveSha256).HasMaxLength(64).IsFixedLength();
        verification.Property(v => v.CreatedAt).HasDefaultValueSql("now()");
        verification.HasOne(v => v.Artifact).WithMany(a => a.Verifications).OnDelete(DeleteBehavior.Cascade);
        verification.HasOne<Job>().WithMany().HasForeignKey(v => v.JobId).OnDelete(DeleteBehavior.Cascade);
        verification.HasOne(v => v.Builder).WithMany().OnDelete(DeleteBehavior.Restrict);
        // One verdict per verify job.
        verification.HasIndex(v => v.JobId).IsUnique();
        verification.HasIndex(v => v.ArtifactId);
    }
}
