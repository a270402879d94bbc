using BuildsRs.Api.Builds;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Apis;

/// <summary>What runs and what waits, in the order builders will take it.</summary>
public static class QueueApi
{
    public static IEndpointRouteBuilder MapQueueApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/queue", GetQueueAsync).WithTags("Queue").RequireRateLimiting(PublicLimits.Queue)
            .WithSummary("Running jobs, and a page of queued jobs with their positions (1 = next).");
        return app;
    }

    public static async Task<Results<Ok<QueueView>, ProblemHttpResult>> GetQueueAsync(int? page, [FromQuery(Name = "per_page")] int? perPage, BuildsRsDbContext db, CancellationToken cancellationToken)
    {
        var (number, size, badPage) = Paging.Of(page, perPage, 50);
        if (badPage is not null)
        {
            return ApiProblems.BadRequest(badPage);
        }
        var running = await db.Jobs.Where(j => j.State == JobState.Running).OrderBy(j => j.StartedAt).Select(Entry).ToListAsync(cancellationToken);
        var queued = await db.Jobs.Where(j => j.State == JobState.Queued)
            .OrderByDescending(j => j.Priority).ThenBy(j => j.CreatedAt).ThenBy(j => j.Id)
            .Skip((number - 1) * size).Take(size).Select(Entry).ToListAsync(cancellationToken);
        var total = await db.Jobs.LongCountAsync(j => j.State == JobState.Queued, cancellationToken);
        var locked = await db.QueueLocks.AnyAsync(l => l.Locked, cancellationToken);
        var first = (long)(number - 1) * size + 1;
        return TypedResults.Ok(new QueueView(locked, total, running,
            new Page<QueueEntry>([.. queued.Select((entry, i) => entry with { Position = first + i })], number, size, total)));
    }

    private static readonly System.Linq.Expressions.Expression<Func<Job, QueueEntry>> Entry = j => new QueueEntry(
        null, j.Id, j.Version.Crate.Name, j.Version.Version, j.Kind, j.Target, j.Priority, j.State,
        j.Builder != null ? j.Builder.Name : null, j.CreatedAt, j.StartedAt);
}
