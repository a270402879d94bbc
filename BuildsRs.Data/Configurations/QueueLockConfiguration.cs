using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class QueueLockConfiguration : IEntityTypeConfiguration<QueueLock>
{
    public void Configure(EntityTypeBuilder<QueueLock> queueLock)
    {
        queueLock.ToTable("queue_lock", table => table.HasCheckConstraint("ck_queue_lock_single_row", $"id = {QueueLock.SingletonId}"));
        queueLock.Property(l => l.Id).ValueGeneratedNever();
        queueLock.Property(l => l.Reason).HasMaxLength(500);
        queueLock.HasData(new QueueLock { Locked = false });
    }
}
