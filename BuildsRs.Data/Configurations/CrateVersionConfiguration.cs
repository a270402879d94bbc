using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class CrateVersionConfiguration : IEntityTypeConfiguration<CrateVersion>
{
    public void Configure(EntityTypeBuilder<CrateVersion> version)
    {
        version.ToTable("versions", table =>
            table.HasCheckConstraint("ck_versions_checksum_hex", "checksum ~ '^[0-9a-f]{64}$'"));
        version.Property(v => v.Version).HasMaxLength(255);
        version.Property(v => v.Checksum).HasMaxLength(64).IsFixedLength();
        version.Property(v => v.RustVersion).HasMaxLength(64);
        version.Property(v => v.Links).HasMaxLength(255);
        version.Property(v => v.Features).HasColumnType("jsonb");
        version.Property(v => v.BuildSettings).HasColumnType("jsonb");
        version.Property(v => v.CreatedAt).HasDefaultValueSql("now()");
        version.HasIndex(v => new { v.CrateId, v.Version }).IsUnique();
        version.HasIndex(v => v.PublishedAt);
        version.HasOne(v => v.Crate).WithMany(c => c.Versions).OnDelete(DeleteBehavior.Cascade);
    }
}
