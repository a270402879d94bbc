using BuildsRs.Api.Builds;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BuildsRs.Api.Apis;

/// <summary>Figures over the last days: builds by outcome, queue length, build durations, downloads, and each target's
/// builds and downloads.</summary>
public static class StatisticsApi
{
    /// <summary>Where the duration histogram's buckets start, in seconds (the first starts at 0, the last is open).</summary>
    private static readonly double[] DurationBounds = [10, 30, 60, 120, 300, 600, 1800, 3600];

    private static readonly string BuildsPerDaySql = $"""
        SELECT (finished_at AT TIME ZONE 'UTC')::date AS day, coalesce(outcome, {EnumText.Sql(JobOutcome.InfrastructureError)}) AS outcome, count(*) AS builds
        FROM jobs
        WHERE {FinishedBuilds.Sql} AND finished_at >= @since
        GROUP BY 1, 2
        """;

    private static readonly string DurationsSql = $"""
        SELECT width_bucket(extract(epoch FROM finished_at - started_at)::float8, @bounds) AS bucket, count(*) AS builds
        FROM jobs
        WHERE {FinishedBuilds.Sql} AND state = {EnumText.Sql(JobState.Succeeded)} AND finished_at >= @since AND started_at IS NOT NULL
        GROUP BY 1
        """;

    public static IEndpointRouteBuilder MapStatisticsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/statistics", GetAsync).WithTags("Statistics").RequireRateLimiting(PublicLimits.Listings).CacheOutput(PublicCaching.PolicyName)
            .WithSummary("Binary builds per day by outcome, queue length over time, build durations, downloads per day, and builds and downloads per target, for the last `days` (1 to 90, default 30).");
        return app;
    }

    public static async Task<Results<Ok<Statistics>, ProblemHttpResult>> GetAsync(int? days, BuildsRsDbContext db, CancellationToken cancellationToken)
    {
        if (days is < 1 or > 90)
        {
            return ApiProblems.BadRequest("days must be 1 to 90");
        }
        var sinceDay = (await DatabaseClock.TodayAsync(db, cancellationToken)).AddDays(1 - (days ?? 30));
        var since = new DateTimeOffset(sinceDay, TimeOnly.MinValue, TimeSpan.Zero);

        var finished = await db.Database.SqlQueryRaw<DayOutcomeCount>(BuildsPerDaySql, new NpgsqlParameter("since", since))
            .ToListAsync(cancellationToken);
        var buildsPerDay = finished.GroupBy(f => f.Day).OrderBy(g => g.Key)
            .Select(g => new DailyBuilds(g.Key, g.ToDictionary(f => f.Outcome, f => f.Builds))).ToList();

        var queue = await db.QueueSamples.Where(s => s.At >= since).OrderBy(s => s.At)
            .Select(s => new Contracts.Api.QueueSample(s.At, s.Queued)).ToListAsync(cancellationToken);

        var buckets = (await db.Database.SqlQueryRaw<DurationCount>(DurationsSql, new NpgsqlParameter("bounds", DurationBounds), new NpgsqlParameter("since", since))
            .ToListAsync(cancellationToken)).ToDictionary(b => b.Bucket, b => b.Builds);
        var histogram = Enumerable.Range(0, DurationBounds.Length + 1)
            .Select(i => new DurationBucket(i < DurationBounds.Length ? DurationBounds[i] : null, buckets.GetValueOrDefault(i))).ToList();

        var downloads = await db.DailyDownloads.Where(d => d.Day >= sinceDay).GroupBy(d => d.Day).OrderBy(g => g.Key)
            .Select(g => new DailyDownloads(g.Key, g.Sum(d => d.Count))).ToListAsync(cancellationToken);

        return TypedResults.Ok(new Statistics(buildsPerDay, queue, histogram, downloads, await TargetsAsync(db, since, sinceDay, cancellationToken)));
    }

    private static async Task<List<TargetFigures>> TargetsAsync(BuildsRsDbContext db, DateTimeOffset since, DateOnly sinceDay, CancellationToken cancellationToken)
    {
        var builds = await FinishedBuilds.Of(db).Where(j => j.FinishedAt >= since).GroupBy(j => j.Target!)
            .Select(g => new { Target = g.Key, Succeeded = g.LongCount(j => j.State == JobState.Succeeded), Failed = g.LongCount(j => j.State == JobState.Failed) })
            .ToDictionaryAsync(g => g.Target, cancellationToken);
        var downloads = await db.DailyDownloads.Where(d => d.Day >= sinceDay)
            .Join(db.Artifacts, d => d.ArtifactId, a => a.Id, (d, a) => new { a.Job.Target, d.Count })
            .GroupBy(d => d.Target!).Select(g => new { Target = g.Key, Downloads = g.Sum(d => d.Count) })
            .ToDictionaryAsync(g => g.Target, g => g.Downloads, cancellationToken);
        var enabled = await db.Targets.Where(t => t.Enabled).Select(t => t.Triple).ToListAsync(cancellationToken);
        return [.. enabled.Union(builds.Keys).Union(downloads.Keys).Order(StringComparer.Ordinal).Select(target => new TargetFigures(target, enabled.Contains(target),
            builds.GetValueOrDefault(target)?.Succeeded ?? 0, builds.GetValueOrDefault(target)?.Failed ?? 0, downloads.GetValueOrDefault(target)))];
    }

    internal sealed record DayOutcomeCount(DateOnly Day, string Outcome, long Builds);

    internal sealed record DurationCount(int Bucket, long Builds);
}
