using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Infrastructure;

/// <summary>
/// Applies pending migrations before the Api starts listening, so that "the Api is healthy" also means "the schema
/// is current" for everything that waits for it. Several Api instances start together in a deployment: a session
/// advisory lock (<see cref="StartupLock"/>) lets one migrate while the others wait, then find nothing left to apply.
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
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({StartupLock.Key})", cancellationToken);
                await db.Database.MigrateAsync(cancellationToken);
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({StartupLock.Key})", cancellationToken);
            }
            finally
            {
                // After a failure, the pool's reset of the session (DISCARD ALL) releases the lock.
                await db.Database.CloseConnectionAsync();
            }
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
