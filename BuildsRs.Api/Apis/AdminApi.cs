using BuildsRs.Api.Builders;
using BuildsRs.Api.Jobs;
using BuildsRs.Contracts;
using BuildsRs.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BuildsRs.Api.Apis;

/// <summary>What an operator does with the admin token: enable or disable builders, request rebuilds.</summary>
public static class AdminApi
{
    public sealed record RebuildRequest(int? Priority);

    public sealed record RebuildResponse(string Crate, string? Version, int Priority, int Queued);

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin").AddEndpointFilter(RequireAdminAsync);
        admin.MapPost("/builders/{fingerprint}/disable", (string fingerprint, BuildsRsDbContext db, CancellationToken ct) => SetEnabledAsync(db, fingerprint, false, ct));
        admin.MapPost("/builders/{fingerprint}/enable", (string fingerprint, BuildsRsDbContext db, CancellationToken ct) => SetEnabledAsync(db, fingerprint, true, ct));
        admin.MapPost("/crates/{crate}/rebuild", (string crate, RebuildRequest? request, BuildsRsDbContext db, IOptions<JobQueueOptions> options, CancellationToken ct) =>
            RebuildAsync(db, crate, null, request?.Priority ?? options.Value.RebuildPriority, ct));
        admin.MapPost("/crates/{crate}/{version}/rebuild", (string crate, string version, RebuildRequest? request, BuildsRsDbContext db, IOptions<JobQueueOptions> options, CancellationToken ct) =>
            RebuildAsync(db, crate, version, request?.Priority ?? options.Value.RebuildPriority, ct));
        return app;
    }

    private static async Task<Results<NoContent, NotFound>> SetEnabledAsync(BuildsRsDbContext db, string fingerprint, bool enabled, CancellationToken cancellationToken)
    {
        var changed = await db.Builders.Where(b => b.Fingerprint == fingerprint)
            .ExecuteUpdateAsync(b => b.SetProperty(x => x.Enabled, enabled), cancellationToken);
        return changed == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    /// <summary>Queues a version (or every non-yanked version of a crate) again from its metadata job.</summary>
    private static async Task<Results<Accepted<RebuildResponse>, ProblemHttpResult>> RebuildAsync(
        BuildsRsDbContext db, string crate, string? version, int priority, CancellationToken cancellationToken)
    {
        if (!CrateName.IsValid(crate))
        {
            return TypedResults.Problem($"'{Truncated(crate)}' is not a crate name", statusCode: StatusCodes.Status400BadRequest);
        }
        if (version is not null && !VersionNumber.IsValid(version))
        {
            return TypedResults.Problem($"'{Truncated(version)}' is not a semantic version", statusCode: StatusCodes.Status400BadRequest);
        }
        var normalized = CrateName.Normalize(crate);
        var versions = db.Versions.Where(v => v.Crate.NormalizedName == normalized);
        if (!await (version is null ? versions : versions.Where(v => v.Version == version)).AnyAsync(cancellationToken))
        {
            return TypedResults.Problem(version is null ? $"no crate named '{crate}'" : $"{crate} has no version {version}", statusCode: StatusCodes.Status404NotFound);
        }
        var queued = await db.Database.ExecuteSqlRawAsync(JobQueueSql.QueueRebuild,
            [new NpgsqlParameter("crate", normalized), new NpgsqlParameter("version", version ?? ""), new NpgsqlParameter("priority", priority)],
            cancellationToken);
        return TypedResults.Accepted((string?)null, new RebuildResponse(crate, version, priority, queued));
    }

    private static string Truncated(string value) => value.Length <= 80 ? value : value[..80] + "…";

    private static async ValueTask<object?> RequireAdminAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var token = context.HttpContext.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value.Token;
        return BearerToken.Matches(context.HttpContext.Request, token) ? await next(context) : TypedResults.Unauthorized();
    }
}
