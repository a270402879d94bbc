using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class DailyDownloadCountConfiguration : IEntityTypeConfiguration<DailyDownloadCount>
{
    public void Configure(EntityTypeBuilder<DailyDownloadCount> count)
    {
        count.ToTable("daily_downloads");
        count.HasKey(c => new { c.ArtifactId, c.Day });
        count.HasIndex(c => c.Day);
        count.HasOne<Artifact>().WithMany().HasForeignKey(c => c.ArtifactId).OnDelete(DeleteBehavior.Cascade);
    }
}
