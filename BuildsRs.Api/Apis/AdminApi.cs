using BuildsRs.Contracts;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using BuildsRs.Data.Jobs;
using BuildsRs.Data.Model;
using BuildsRs.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Apis;

/// <summary>
/// What an operator does with the admin token: add builder hosts, enroll, enable and disable builders and hosts, set
/// targets and their images, request
/// rebuilds, cancel jobs, lock and unlock the queue.
/// </summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").RequireAuthorization(BearerTokens.Operator).WithTags("Admin");
        admin.MapAdminHostsApi();
        admin.MapPost("/builders/{fingerprint}/disable", DisableAsync)
            .WithSummary("Disables a builder's key: its connection ends, its running jobs go back to the queue, and nothing it sends counts any more.");
        admin.MapPost("/builders/{fingerprint}/enable", (string fingerprint, BuildsRsDbContext db, CancellationToken ct) => SetEnabledAsync(db, fingerprint, true, ct));
        admin.MapPost("/crates/{crate}/rebuild", (string crate, RebuildRequest? request, BuildsRsDbContext db, JobLifecycle lifecycle, CancellationToken ct) =>
            RebuildAsync(db, lifecycle, crate, null, request?.Priority, ct));
        admin.MapPost("/crates/{crate}/{version}/rebuild", (string crate, string version, RebuildRequest? request, BuildsRsDbContext db, JobLifecycle lifecycle, CancellationToken ct) =>
            RebuildAsync(db, lifecycle, crate, version, request?.Priority, ct));
        admin.MapPost("/crates/{crate}/{version}/verify", (string crate, string version, RebuildRequest? request, BuildsRsDbContext db, JobLifecycle lifecycle, CancellationToken ct) =>
                VerifyAsync(db, lifecycle, crate, version, request?.Priority, ct))
            .WithSummary("Has another builder build the version's artifacts again and compare the bytes (a verify job per target, or a queued one moved up).");
        admin.MapPost("/crates/{crate}/cancel", CancelCrateAsync).WithSummary("Cancels the crate's queued jobs; running ones finish.");
        admin.MapPost("/jobs/{jobId:long}/cancel", CancelJobAsync).WithSummary("Cancels a queued or running job; a running one's builder stops it.");
        admin.MapPut("/targets/{triple}", SetTargetAsync)
            .WithSummary("Adds a target or enables / disables it (new versions get binary jobs for the enabled ones), and sets the build images known for it (rebuilds that verify its artifacts run in one of them).");
        admin.MapPost("/queue/lock", (QueueLockState request, BuildsRsDbContext db, CancellationToken ct) => SetQueueLockAsync(db, true, request.Reason, ct))
            .WithSummary("Builders get no new jobs until the queue is unlocked; running jobs finish.");
        admin.MapPost("/queue/unlock", (BuildsRsDbContext db, CancellationToken ct) => SetQueueLockAsync(db, false, null, ct));
        return app;
    }

    private static async Task<Results<Ok<TargetSetting>, ProblemHttpResult>> SetTargetAsync(
        string triple, TargetSetting setting, BuildsRsDbContext db, CancellationToken cancellationToken)
    {
        if (!TargetTriple.IsValid(triple))
        {
            return ApiProblems.BadRequest($"'{ApiProblems.Shown(triple)}' is not a target triple");
        }
        var target = await db.Targets.SingleOrDefaultAsync(t => t.Triple == triple, cancellationToken);
        if (target is null)
        {
            db.Targets.Add(target = new Target { Triple = triple });
        }
        if (setting.Images?.FirstOrDefault(i => !ImageId.IsValid(i)) is { } image)
        {
            return ApiProblems.BadRequest($"'{ApiProblems.Shown(image)}' is not a Docker image ID (sha256:...)");
        }
        target.Enabled = setting.Enabled;
        target.Images = setting.Images is { } images ? [.. images.Distinct(StringComparer.Ordinal)] : target.Images;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new TargetSetting(target.Triple, target.Enabled, target.Images));
    }

    private static async Task<Ok<QueueLockState>> SetQueueLockAsync(BuildsRsDbContext db, bool locked, string? reason, CancellationToken cancellationToken)
    {
        reason = reason?[..Math.Min(reason.Length, 500)];
        // UtcNow inside the update is the database's now().
        await db.QueueLocks.ExecuteUpdateAsync(l => l.SetProperty(x => x.Locked, locked).SetProperty(x => x.Reason, reason)
            .SetProperty(x => x.ChangedAt, DateTimeOffset.UtcNow), cancellationToken);
        return TypedResults.Ok(new QueueLockState(locked, reason));
    }

    private static async Task<Results<NoContent, NotFound>> SetEnabledAsync(BuildsRsDbContext db, string fingerprint, bool enabled, CancellationToken cancellationToken)
    {
        var changed = await db.Builders.Where(b => b.Fingerprint == fingerprint)
            .ExecuteUpdateAsync(b => b.SetProperty(x => x.Enabled, enabled), cancellationToken);
        return changed == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    internal static async Task<Results<NoContent, NotFound>> DisableAsync(string fingerprint, BuildsRsDbContext db, JobLifecycle lifecycle,
        Builders.BuilderConnections connections, CancellationToken cancellationToken)
    {
        var result = await SetEnabledAsync(db, fingerprint, false, cancellationToken);
        if (await db.Builders.Where(b => b.Fingerprint == fingerprint).Select(b => (long?)b.Id).SingleOrDefaultAsync(cancellationToken) is { } id)
        {
            connections.Disconnect(id);
            await lifecycle.ReleaseJobsOfDisabledAsync(id, cancellationToken);
        }
        return result;
    }

    private static async Task<Results<Ok<CancelResponse>, ProblemHttpResult>> CancelCrateAsync(string crate, BuildsRsDbContext db, JobLifecycle lifecycle, CancellationToken cancellationToken)
    {
        if (ApiProblems.Invalid(crate, null) is { } invalid)
        {
            return invalid;
        }
        var normalized = CrateName.Normalize(crate);
        if (!await db.Crates.AnyAsync(c => c.NormalizedName == normalized, cancellationToken))
        {
            return ApiProblems.NotFound($"no crate named '{crate}'");
        }
        return TypedResults.Ok(new CancelResponse(crate, null, await lifecycle.CancelQueuedAsync(normalized, cancellationToken)));
    }

    private static async Task<Results<Ok<CancelResponse>, ProblemHttpResult>> CancelJobAsync(long jobId, BuildsRsDbContext db, JobLifecycle lifecycle, CancellationToken cancellationToken)
    {
        if (await lifecycle.CancelAsync(jobId, cancellationToken))
        {
            return TypedResults.Ok(new CancelResponse(null, jobId, 1));
        }
        var state = await db.Jobs.Where(j => j.Id == jobId).Select(j => (JobState?)j.State).SingleOrDefaultAsync(cancellationToken);
        return state is null
            ? ApiProblems.NotFound($"no job {jobId}")
            : TypedResults.Problem($"job {jobId} has already ended ({EnumText.Of(state.Value)})", statusCode: StatusCodes.Status409Conflict);
    }

    private static async Task<Results<Accepted<RebuildResponse>, ProblemHttpResult>> VerifyAsync(
        BuildsRsDbContext db, JobLifecycle lifecycle, string crate, string version, int? priority, CancellationToken cancellationToken)
    {
        if (ApiProblems.Invalid(crate, version) is { } invalid)
        {
            return invalid;
        }
        var normalized = CrateName.Normalize(crate);
        if (!await db.Versions.AnyAsync(v => v.Crate.NormalizedName == normalized && v.Version == version, cancellationToken))
        {
            return ApiProblems.NotFound($"{crate} has no version {version}");
        }
        var (queued, used) = await lifecycle.QueueVerifyAsync(normalized, version, priority, cancellationToken);
        return queued == 0
            ? TypedResults.Problem($"{crate} {version} has no artifact to verify", statusCode: StatusCodes.Status409Conflict)
            : TypedResults.Accepted((string?)null, new RebuildResponse(crate, version, used, queued));
    }

    /// <summary>Queues a version (or every non-yanked version of a crate) again from its metadata job.</summary>
    private static async Task<Results<Accepted<RebuildResponse>, ProblemHttpResult>> RebuildAsync(
        BuildsRsDbContext db, JobLifecycle lifecycle, string crate, string? version, int? priority, CancellationToken cancellationToken)
    {
        if (ApiProblems.Invalid(crate, version) is { } invalid)
        {
            return invalid;
        }
        var normalized = CrateName.Normalize(crate);
        var versions = db.Versions.Where(v => v.Crate.NormalizedName == normalized);
        if (!await (version is null ? versions : versions.Where(v => v.Version == version)).AnyAsync(cancellationToken))
        {
            return TypedResults.Problem(version is null ? $"no crate named '{crate}'" : $"{crate} has no version {version}", statusCode: StatusCodes.Status404NotFound);
        }
        var (queued, used) = await lifecycle.QueueRebuildAsync(normalized, version, priority, cancellationToken);
        return TypedResults.Accepted((string?)null, new RebuildResponse(crate, version, used, queued));
    }
}
