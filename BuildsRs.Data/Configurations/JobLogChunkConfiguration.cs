using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class JobLogChunkConfiguration : IEntityTypeConfiguration<JobLogChunk>
{
    public void Configure(EntityTypeBuilder<JobLogChunk> chunk)
    {
        chunk.ToTable("job_logs");
        chunk.HasKey(c => new { c.JobId, c.Sequence });
        chunk.Property(c => c.Stage).HasMaxLength(30);
        chunk.Property(c => c.CreatedAt).HasDefaultValueSql("now()");
        chunk.HasOne<Job>().WithMany().HasForeignKey(c => c.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}
