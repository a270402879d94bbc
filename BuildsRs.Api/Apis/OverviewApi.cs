using BuildsRs.Api.Builds;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Apis;

/// <summary>The service at a glance: how much it tracks and built, what it does today, and the latest results.</summary>
public static class OverviewApi
{
    private const int RecentBuilds = 10;

    public static IEndpointRouteBuilder MapOverviewApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/overview", GetAsync).WithTags("Statistics").RequireRateLimiting(PublicLimits.Listings).CacheOutput(PublicCaching.PolicyName)
            .WithSummary("Crates tracked, binaries built, binary builds finished today (UTC), queued and running jobs, and the latest finished builds.");
        return app;
    }

    public static async Task<Microsoft.AspNetCore.Http.HttpResults.Ok<Overview>> GetAsync(BuildsRsDbContext db, CancellationToken cancellationToken)
    {
        var today = new DateTimeOffset(await DatabaseClock.TodayAsync(db, cancellationToken), TimeOnly.MinValue, TimeSpan.Zero);
        var finished = FinishedBuilds.Of(db);
        var recent = await finished.OrderByDescending(j => j.FinishedAt).Take(RecentBuilds)
            .Select(j => new FinishedBuild(j.Id, j.Version.Crate.Name, j.Version.Version, j.Target!,
                j.Outcome ?? JobOutcome.InfrastructureError,
                j.StartedAt == null ? null : (j.FinishedAt!.Value - j.StartedAt.Value).TotalSeconds, j.FinishedAt!.Value))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new Overview(
            await db.Crates.LongCountAsync(cancellationToken),
            await db.Artifacts.LongCountAsync(cancellationToken),
            await finished.LongCountAsync(j => j.FinishedAt >= today, cancellationToken),
            await db.Jobs.LongCountAsync(j => j.State == JobState.Queued, cancellationToken),
            await db.Jobs.LongCountAsync(j => j.State == JobState.Running, cancellationToken),
            recent));
    }
}
