using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Infrastructure;

/// <summary>
/// Applies pending migrations before the Api starts listening, so that "the Api is healthy" also means "the schema
/// is current" for everything that waits for it. Several Api instances start together in a deployment: a session
/// advisory lock lets one migrate while the others wait, then find nothing left to apply.
/// </summary>
internal sealed class DatabaseMigrator(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var activity = ApiTelemetry.Source.StartActivity("Migrate database");
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BuildsRsDbContext>();
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({MigrationLock})", cancellationToken);
                await db.Database.MigrateAsync(cancellationToken);
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLock})", cancellationToken);
            }
            finally
            {
                // After a failure, the pool's reset of the session (DISCARD ALL) releases the lock.
                await db.Database.CloseConnectionAsync();
            }
        });
    }

    /// <summary>The advisory lock key of schema migrations ("BRSMIGR" as a number).</summary>
    private const long MigrationLock = 0x4252534d494752;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
