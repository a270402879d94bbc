using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class RegistrySyncStateConfiguration : IEntityTypeConfiguration<RegistrySyncState>
{
    public void Configure(EntityTypeBuilder<RegistrySyncState> state)
    {
        state.ToTable("registry_sync_state");
        state.HasKey(s => s.Registry);
        state.Property(s => s.Registry).HasMaxLength(1024);
        state.Property(s => s.Cursor).HasMaxLength(64);
    }
}
