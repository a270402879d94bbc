using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Infrastructure;

/// <summary>
/// Several Api instances start together in a deployment, on a database that may be empty. What each writes at startup
/// (the schema, the configured targets and builder hosts) is written by one instance at a time under this advisory
/// lock, so that the next one finds the rows the first added instead of adding them again and failing on a unique key.
/// </summary>
internal static class StartupLock
{
    /// <summary>The advisory lock key ("BRSMIGR" as a number).</summary>
    public const long Key = 0x4252534d494752;

    /// <summary>Runs <paramref name="work"/> and saves what it changed in one transaction that holds the lock.</summary>
    public static async Task WriteAsync(BuildsRsDbContext db, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            // A retried attempt starts from what the database holds, not from the entities the failed one added.
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({Key})", cancellationToken);
            await work(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
    }
}
