using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Jobs;

/// <summary>
/// Records the queue's length once per interval (the statistics' "queue length over time"). Each Api instance looks
/// every 30 s whether the interval has its sample yet; the first instance to write it wins.
/// </summary>
internal sealed partial class QueueSampler(IServiceScopeFactory scopes, TimeProvider clock, ILogger<QueueSampler> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30), clock);
        DateTimeOffset? sampled = null;
        do
        {
            var now = clock.GetUtcNow();
            var at = new DateTimeOffset(now.Ticks - now.Ticks % Interval.Ticks, TimeSpan.Zero);
            if (at == sampled)
            {
                continue;
            }
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BuildsRsDbContext>();
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO queue_samples (at, queued, running)
                    SELECT {at}, count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state = 'running')
                    FROM jobs WHERE state IN ('queued', 'running')
                    ON CONFLICT (at) DO NOTHING
                    """, stoppingToken);
                sampled = at;
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
            {
                LogFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Could not sample the queue: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
