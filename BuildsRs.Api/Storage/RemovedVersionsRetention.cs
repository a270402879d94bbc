using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BuildsRs.Api.Storage;

/// <summary>
/// Lets go of what a version removed from the registry's index left behind once <see cref="RetentionOptions.RemovedVersions"/>
/// has passed since: its stored archives first, then its records (jobs, artifacts, signatures, logs, verifications,
/// download counts go with the version). Nothing goes without the setting. Any Api instance may do it.
/// </summary>
internal sealed partial class RemovedVersionsRetention(IServiceScopeFactory scopes, IOptions<RetentionOptions> options, TimeProvider clock,
    ILogger<RemovedVersionsRetention> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RemovedVersions is not { } retention)
        {
            return;
        }
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var ended = await EndExpiredAsync(scope.ServiceProvider.GetRequiredService<BuildsRsDbContext>(),
                    scope.ServiceProvider.GetRequiredService<IArtifactStore>(), clock.GetUtcNow() - retention, stoppingToken);
                if (ended > 0)
                {
                    LogEnded(logger, ended, retention);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Ends the versions removed before <paramref name="removedBefore"/>; returns how many.</summary>
    public static async Task<int> EndExpiredAsync(BuildsRsDbContext db, IArtifactStore store, DateTimeOffset removedBefore, CancellationToken cancellationToken)
    {
        var expired = await db.Versions.Where(v => v.RemovedAt < removedBefore).Select(v => v.Id).ToListAsync(cancellationToken);
        foreach (var version in expired)
        {
            // Objects before rows: a crash in between leaves records of missing objects for the next sweep, never
            // objects that no record names.
            foreach (var key in await db.Artifacts.Where(a => a.Job.VersionId == version).Select(a => a.StorageKey).ToListAsync(cancellationToken))
            {
                await store.DeleteAsync(key, cancellationToken);
            }
            // Only if it is still removed: a version the index listed again meanwhile keeps everything.
            await db.Versions.Where(v => v.Id == version && v.RemovedAt < removedBefore).ExecuteDeleteAsync(cancellationToken);
        }
        return expired.Count;
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Information,
        Message = "{Count} versions removed from the registry's index more than {Retention} ago were let go, with their stored archives")]
    private static partial void LogEnded(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(EventId = 211, Level = LogLevel.Error, Message = "Ending removed versions failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
