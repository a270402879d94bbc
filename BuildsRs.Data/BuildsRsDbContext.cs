using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Data;

/// <summary>
/// The whole system's data. Migrations: from the repository root,
/// <c>dotnet ef migrations add NameOfChange --project BuildsRs.Data</c>
/// (the design-time factory needs no database).
/// </summary>
public class BuildsRsDbContext(DbContextOptions<BuildsRsDbContext> options) : DbContext(options)
{
    public DbSet<Crate> Crates => Set<Crate>();
    public DbSet<CrateVersion> Versions => Set<CrateVersion>();
    public DbSet<Target> Targets => Set<Target>();
    public DbSet<BuilderHost> BuilderHosts => Set<BuilderHost>();
    public DbSet<RegisteredBuilder> Builders => Set<RegisteredBuilder>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<JobLogChunk> JobLogs => Set<JobLogChunk>();
    public DbSet<Artifact> Artifacts => Set<Artifact>();
    public DbSet<ArtifactVerification> ArtifactVerifications => Set<ArtifactVerification>();
    public DbSet<Lockfile> Lockfiles => Set<Lockfile>();
    public DbSet<DailyDownloadCount> DailyDownloads => Set<DailyDownloadCount>();
    public DbSet<RegistrySyncState> RegistrySyncStates => Set<RegistrySyncState>();
    public DbSet<QueueLock> QueueLocks => Set<QueueLock>();
    public DbSet<QueueSample> QueueSamples => Set<QueueSample>();

    /// <summary>
    /// Options every user of the context must set (the model depends on them): snake_case names everywhere, so that
    /// raw SQL (queue claims, bulk COPY) reads like the schema.
    /// </summary>
    public static void ConfigureConventions(DbContextOptionsBuilder options) => options.UseSnakeCaseNamingConvention();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasPostgresExtension("pg_trgm");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(BuildsRsDbContext).Assembly);
    }
}
