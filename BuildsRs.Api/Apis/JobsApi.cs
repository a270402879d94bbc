using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using BuildsRs.Api.Builds;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Api.Jobs;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Apis;

/// <summary>A job and its log: the whole stored log, or a live stream of it (server-sent events) while it runs.</summary>
public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/v1/jobs").WithTags("Jobs");
        jobs.MapGet("/{jobId:long}", GetJobAsync).WithSummary("A job: state, timings, outcome, builder, artifacts.");
        jobs.MapGet("/{jobId:long}/log", GetLogAsync).WithSummary("The job's whole stored log as text.").RequireRateLimiting(PublicLimits.Logs);
        jobs.MapGet("/{jobId:long}/log/stream", StreamLog).RequireRateLimiting(PublicLimits.Logs)
            .WithSummary("The log as server-sent events: a 'state' event with the job's state, 'log' events (id = chunk sequence, resumable with Last-Event-ID), then one 'end' event with the job's final state. A client may have LiveLogs:PerClient streams open at once.");
        return app;
    }

    public static async Task<Results<Ok<JobDetails>, ProblemHttpResult>> GetJobAsync(long jobId, HttpRequest request, BuildsRsDbContext db, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.Where(j => j.Id == jobId)
            .Select(j => new { Crate = j.Version.Crate.Name, j.Version.Version, j.Priority, j.ExitCode, j.Error })
            .SingleOrDefaultAsync(cancellationToken);
        if (job is null)
        {
            return ApiProblems.NotFound($"no job {jobId}");
        }
        var summary = await db.Jobs.Where(j => j.Id == jobId).Select(JobViews.Summary).SingleAsync(cancellationToken);
        var positions = await QueuePositions.OfAsync(db, [jobId], cancellationToken);
        var artifacts = await ArtifactViews.WhereAsync(db, a => a.JobId == jobId, request, cancellationToken);
        var self = $"{request.Scheme}://{request.Host}/api/v1/jobs/{jobId}";
        return TypedResults.Ok(new JobDetails(summary, job.Crate, job.Version, job.Priority, positions.GetValueOrDefault(jobId) is > 0 and var p ? p : null,
            job.ExitCode, job.Error, $"{self}/log", $"{self}/log/stream", artifacts));
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetLogAsync(long jobId, BuildsRsDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Jobs.AnyAsync(j => j.Id == jobId, cancellationToken))
        {
            return ApiProblems.NotFound($"no job {jobId}");
        }
        var log = new StringBuilder();
        await foreach (var chunk in db.JobLogs.Where(l => l.JobId == jobId).OrderBy(l => l.Sequence).Select(l => l.Text).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            log.Append(chunk);
        }
        return TypedResults.Text(log.ToString(), "text/plain; charset=utf-8");
    }

    internal static IResult StreamLog(long jobId, HttpContext http, LiveLogs live, CancellationToken cancellationToken)
    {
        var place = live.TryOpen(PublicLimitsExtensions.ClientOf(http));
        if (place is null)
        {
            ApiTelemetry.RequestThrottled("live-logs");
            return new TooManyStreams();
        }
        var resumeAfter = int.TryParse(http.Request.Headers["Last-Event-ID"], out var sequence) ? sequence : -1;
        return TypedResults.ServerSentEvents(FollowAsync(live, jobId, resumeAfter, place, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<string>> FollowAsync(
        LiveLogs live, long jobId, int after, IDisposable place, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (place)
        {
            await foreach (var item in live.FollowAsync(jobId, after, cancellationToken))
            {
                yield return item.Type == "log"
                    ? new SseItem<string>(item.Text, "log") { EventId = item.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) }
                    : new SseItem<string>(item.Text, item.Type);
            }
        }
    }

    /// <summary>429: this client (or this instance) has as many live streams open as it may.</summary>
    private sealed class TooManyStreams : IResult
    {
        public Task ExecuteAsync(HttpContext http) => PublicLimitsExtensions.WriteTooManyAsync(http,
            $"{PublicLimitsExtensions.ClientOf(http)} has as many live log streams open as one client may (or this server as many as it serves): close one, or read the whole log", TimeSpan.FromSeconds(5));
    }
}
