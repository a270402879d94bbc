using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Infrastructure;

/// <summary>
/// Applies pending migrations before the Api starts listening, so that "the Api is healthy" also means "the schema
/// is current" for everything that waits for it. EF Core takes a database lock while migrating, so several Api
/// instances starting together still apply each migration exactly once.
/// </summary>
internal sealed class DatabaseMigrator(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var activity = ApiTelemetry.Source.StartActivity("Migrate database");
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BuildsRsDbContext>();
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(() => db.Database.MigrateAsync(cancellationToken));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
