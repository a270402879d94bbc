using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class BuilderHostConfiguration : IEntityTypeConfiguration<BuilderHost>
{
    public void Configure(EntityTypeBuilder<BuilderHost> host)
    {
        host.ToTable("builder_hosts");
        host.Property(h => h.Name).HasMaxLength(100);
        host.HasIndex(h => h.Name).IsUnique();
        host.HasIndex(h => h.TokenSha256).IsUnique();
        host.Property(h => h.CreatedAt).HasDefaultValueSql("now()");
        host.HasMany(h => h.Builders).WithOne(b => b.Host).HasForeignKey(b => b.HostId).OnDelete(DeleteBehavior.Restrict);
    }
}
