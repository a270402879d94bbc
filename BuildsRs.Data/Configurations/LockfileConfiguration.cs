using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class LockfileConfiguration : IEntityTypeConfiguration<Lockfile>
{
    public void Configure(EntityTypeBuilder<Lockfile> lockfile)
    {
        lockfile.ToTable("lockfiles", table => table.HasCheckConstraint("ck_lockfiles_sha256_hex", "sha256 ~ '^[0-9a-f]{64}$'"));
        lockfile.HasKey(l => l.Sha256);
        lockfile.Property(l => l.Sha256).HasMaxLength(64).IsFixedLength();
    }
}
