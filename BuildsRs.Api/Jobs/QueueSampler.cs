using System.Diagnostics.Metrics;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Jobs;

/// <summary>
/// Looks at the queue every 30 s: the queued jobs by kind and target for the <c>buildsrs.queue.jobs</c> gauge, and the
/// queue's length once per <see cref="Interval"/> for the statistics' "queue length over time" (the interval is cut by
/// the database's clock, so every Api instance writes the same row and the first one wins).
/// </summary>
internal sealed partial class QueueSampler(IServiceScopeFactory scopes, TimeProvider clock, ILogger<QueueSampler> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private static readonly string Queued = EnumText.Sql(JobState.Queued);
    private static readonly string Running = EnumText.Sql(JobState.Running);

    private static readonly string CountQueuedSql = $"SELECT kind, target, count(*) AS jobs FROM jobs WHERE state = {Queued} GROUP BY kind, target";

    private static readonly string SampleSql = $"""
        INSERT INTO queue_samples (at, queued, running)
        SELECT date_bin(@interval, now(), TIMESTAMPTZ 'epoch'),
               count(*) FILTER (WHERE state = {Queued}), count(*) FILTER (WHERE state = {Running})
        FROM jobs WHERE state IN ({Queued}, {Running})
        ON CONFLICT (at) DO NOTHING
        """;

    private IReadOnlyList<QueuedCount> latest = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ApiTelemetry.ObserveQueue(() => Volatile.Read(ref latest).Select(q =>
            new Measurement<long>(q.Jobs, new KeyValuePair<string, object?>("kind", q.Kind), new KeyValuePair<string, object?>("target", q.Target ?? "none"))));
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30), clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BuildsRsDbContext>();
                Volatile.Write(ref latest, await db.Database.SqlQueryRaw<QueuedCount>(CountQueuedSql).ToListAsync(stoppingToken));
                await db.Database.ExecuteSqlRawAsync(SampleSql, [new Npgsql.NpgsqlParameter("interval", Interval)], stoppingToken);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
            {
                LogFailed(logger, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private sealed record QueuedCount(string Kind, string? Target, long Jobs);

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Could not sample the queue: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
