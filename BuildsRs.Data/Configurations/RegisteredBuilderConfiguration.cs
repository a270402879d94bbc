using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class RegisteredBuilderConfiguration : IEntityTypeConfiguration<RegisteredBuilder>
{
    public void Configure(EntityTypeBuilder<RegisteredBuilder> builder)
    {
        builder.ToTable("builders");
        builder.Property(b => b.Name).HasMaxLength(100);
        builder.Property(b => b.Fingerprint).HasMaxLength(64).IsFixedLength();
        builder.HasIndex(b => b.Fingerprint).IsUnique();
        builder.HasIndex(b => b.PublicKey).IsUnique();
        builder.Property(b => b.CreatedAt).HasDefaultValueSql("now()");
    }
}
