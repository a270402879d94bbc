using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class CrateConfiguration : IEntityTypeConfiguration<Crate>
{
    public void Configure(EntityTypeBuilder<Crate> crate)
    {
        crate.Property(c => c.Name).HasMaxLength(64);
        // Computed by the database so that no writer can get uniqueness wrong: Foo_bar and foo-bar are one crate.
        crate.Property(c => c.NormalizedName)
            .HasMaxLength(64)
            .HasComputedColumnSql("replace(lower(name), '-', '_')", stored: true);
        crate.HasIndex(c => c.NormalizedName).IsUnique();
        // Prefix search (LIKE 'abc%') and fuzzy search (similarity, %) on the name.
        crate.HasIndex(c => c.NormalizedName, "ix_crates_normalized_name_prefix").HasDatabaseName("ix_crates_normalized_name_prefix").HasOperators("text_pattern_ops");
        crate.HasIndex(c => c.NormalizedName, "ix_crates_normalized_name_trgm").HasDatabaseName("ix_crates_normalized_name_trgm").HasMethod("gin").HasOperators("gin_trgm_ops");
        crate.Property(c => c.CreatedAt).HasDefaultValueSql("now()");
    }
}
