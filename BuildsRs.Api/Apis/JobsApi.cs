using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using BuildsRs.Api.Builds;
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
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/v1/jobs").WithTags("Jobs");
        jobs.MapGet("/{jobId:long}", GetJobAsync).WithSummary("A job: state, timings, outcome, builder, artifacts.");
        jobs.MapGet("/{jobId:long}/log", GetLogAsync).WithSummary("The job's whole stored log as text.");
        jobs.MapGet("/{jobId:long}/log/stream", StreamLog)
            .WithSummary("The log as server-sent events: 'log' events (id = chunk sequence, resumable with Last-Event-ID), then one 'end' event with the job's state.");
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

    public static IResult StreamLog(long jobId, HttpRequest request, IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        var resumeAfter = int.TryParse(request.Headers["Last-Event-ID"], out var sequence) ? sequence : -1;
        return TypedResults.ServerSentEvents(FollowAsync(jobId, resumeAfter, scopes, cancellationToken));
    }

    /// <summary>Chunks as they are stored (any Api instance may have received them), until the job is over.</summary>
    private static async IAsyncEnumerable<SseItem<string>> FollowAsync(
        long jobId, int after, IServiceScopeFactory scopes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BuildsRsDbContext>();
            var state = await db.Jobs.Where(j => j.Id == jobId).Select(j => (JobState?)j.State).SingleOrDefaultAsync(cancellationToken);
            if (state is null)
            {
                yield return new SseItem<string>($"no job {jobId}", "error");
                yield break;
            }
            var chunks = await db.JobLogs.Where(l => l.JobId == jobId && l.Sequence > after).OrderBy(l => l.Sequence)
                .Select(l => new { l.Sequence, l.Text }).ToListAsync(cancellationToken);
            foreach (var chunk in chunks)
            {
                after = chunk.Sequence;
                yield return new SseItem<string>(chunk.Text, "log") { EventId = chunk.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            }
            // Read before the chunks: a job that ended has stored its last chunk, so nothing is missed.
            if (state.Value.IsFinal())
            {
                yield return new SseItem<string>(EnumText.Of(state.Value), "end");
                yield break;
            }
            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}
