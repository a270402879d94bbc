using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BuildsRs.Api.Downloads;

/// <summary>Adds the counted downloads to <c>daily_downloads</c> every <see cref="DownloadOptions.FlushInterval"/> and at shutdown.</summary>
internal sealed partial class DownloadCountFlusher(
    DownloadCounter counter, IServiceScopeFactory scopes, Microsoft.Extensions.Options.IOptions<DownloadOptions> options, ILogger<DownloadCountFlusher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the last flush follows in StopAsync.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var counts = counter.Take();
        if (counts.Count == 0)
        {
            return;
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BuildsRsDbContext>();
            // Artifacts deleted meanwhile are skipped by the join rather than failing the whole batch.
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO daily_downloads (artifact_id, day, count)
                SELECT c.artifact_id, (now() AT TIME ZONE 'UTC')::date, c.count
                FROM unnest(@artifacts, @counts) AS c(artifact_id, count)
                JOIN artifacts a ON a.id = c.artifact_id
                ON CONFLICT (artifact_id, day) DO UPDATE SET count = daily_downloads.count + excluded.count
                """,
                [
                    new NpgsqlParameter("artifacts", counts.Keys.ToArray()),
                    new NpgsqlParameter("counts", counts.Values.ToArray()),
                ], cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or OperationCanceledException)
        {
            counter.Return(counts);
            LogFailed(logger, counts.Count, ex.Message);
        }
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Could not store {Count} download counts; they are kept for the next try: {Reason}")]
    private static partial void LogFailed(ILogger logger, int count, string reason);
}
