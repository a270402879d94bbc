using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BuildsRs.Data.Configurations;

internal sealed class QueueSampleConfiguration : IEntityTypeConfiguration<QueueSample>
{
    public void Configure(EntityTypeBuilder<QueueSample> sample)
    {
        sample.ToTable("queue_samples");
        // Keyed by the interval's start: several Api instances sampling the same interval write one row.
        sample.HasKey(s => s.At);
    }
}
