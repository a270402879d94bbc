using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class TargetConfiguration : IEntityTypeConfiguration<Target>
{
    /// <summary>The target the builder image can build for out of the box.</summary>
    public const string HostTarget = "x86_64-unknown-linux-gnu";

    public void Configure(EntityTypeBuilder<Target> target)
    {
        target.HasKey(t => t.Triple);
        target.Property(t => t.Triple).HasMaxLength(100);
        target.HasData(new Target { Triple = HostTarget, Enabled = true });
    }
}
