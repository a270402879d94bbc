using BuildsRs.Api.Builds;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Contracts.Api;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BuildsRs.Api.Apis;

/// <summary>Crates and versions as users look them up: search, a crate's versions, a version's builds.</summary>
public static class CratesApi
{
    public static IEndpointRouteBuilder MapCratesApi(this IEndpointRouteBuilder app)
    {
        var crates = app.MapGroup("/api/v1/crates").WithTags("Crates").CacheOutput(PublicCaching.PolicyName);
        crates.MapGet("/", SearchAsync).RequireRateLimiting(PublicLimits.Search).WithSummary("Search crates by name: exact match, then prefix, then similar names.");
        crates.MapGet("/{crate}", GetCrateAsync).RequireRateLimiting(PublicLimits.Listings).WithSummary("A crate's versions, newest first, with the build state per target.");
        crates.MapGet("/{crate}/{version}", GetVersionAsync).WithSummary("A version: checksum, binary targets, jobs and artifacts per target.");
        return app;
    }

    /// <summary>Page <paramref name="page"/> (from 1) of the crates whose name starts with or resembles <paramref name="q"/>.</summary>
    public static async Task<Results<Ok<Page<CrateSummary>>, ProblemHttpResult>> SearchAsync(
        string? q, int? page, [FromQuery(Name = "per_page")] int? perPage, BuildsRsDbContext db, CancellationToken cancellationToken)
    {
        if (!CrateName.IsSearchable(q))
        {
            return ApiProblems.BadRequest($"q must be 1 to {CrateName.MaxLength} ASCII letters, digits, - or _");
        }
        var (number, size, badPage) = Paging.Of(page, perPage, 20);
        if (badPage is not null)
        {
            return ApiProblems.BadRequest(badPage);
        }
        var normalized = CrateName.Normalize(q);
        var prefix = normalized.Replace("_", "\\_", StringComparison.Ordinal) + "%";
        var offset = (number - 1) * size;
        var hits = await PageAsync(db, CrateQueries.PrefixPage, normalized, prefix, size, offset, cancellationToken);
        var total = await CountAsync(db, CrateQueries.PrefixCount, normalized, prefix, cancellationToken);
        if (normalized.Length >= CrateQueries.MinSimilarityLength && total < CrateQueries.CountLimit)
        {
            if (hits.Count < size)
            {
                hits.AddRange(await PageAsync(db, CrateQueries.SimilarPage, normalized, prefix, size - hits.Count, (int)Math.Max(0, offset - total), cancellationToken));
            }
            total += await CountAsync(db, CrateQueries.SimilarCount, normalized, prefix, cancellationToken);
        }
        var latest = await LatestVersions.OfAsync(db, [.. hits.Select(h => h.Id)], cancellationToken);
        var items = hits.Select(hit => latest.GetValueOrDefault(hit.Id) is { } found
            ? new CrateSummary(hit.Name, found.Build?.Version, found.Versions, found.Build)
            : new CrateSummary(hit.Name, null, 0, null)).ToList();
        return TypedResults.Ok(new Page<CrateSummary>(items, number, size, total));
    }

    public static async Task<Results<Ok<CrateDetails>, ProblemHttpResult>> GetCrateAsync(string crate, BuildsRsDbContext db, CancellationToken cancellationToken)
    {
        if (ApiProblems.Invalid(crate) is { } invalid)
        {
            return invalid;
        }
        var normalized = CrateName.Normalize(crate);
        var found = await db.Crates.Where(c => c.NormalizedName == normalized).Select(c => new { c.Id, c.Name }).SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return ApiProblems.NotFound($"no crate named '{crate}'");
        }
        var versions = await db.Versions.Where(v => v.CrateId == found.Id && v.RemovedAt == null)
            .Select(v => new { v.Id, v.Version, v.Yanked, v.PublishedAt, v.BinaryTargets }).ToListAsync(cancellationToken);
        var jobs = await JobRow.ForVersionsAsync(db, [.. versions.Select(v => v.Id)], cancellationToken);
        return TypedResults.Ok(new CrateDetails(found.Name, VersionNumber.Latest(versions, v => v.Version, v => v.Yanked)?.Version,
            [.. VersionNumber.NewestFirst(versions, v => v.Version).Select(v =>
            new VersionSummary(v.Version, v.Yanked, v.PublishedAt, v.BinaryTargets is { Length: 0 }, BuildStates.PerTarget(jobs[v.Id])))]));
    }

    public static async Task<Results<Ok<VersionDetails>, ProblemHttpResult>> GetVersionAsync(
        string crate, string version, HttpRequest request, BuildsRsDbContext db, CancellationToken cancellationToken)
    {
        if (ApiProblems.Invalid(crate, version) is { } invalid)
        {
            return invalid;
        }
        var normalized = CrateName.Normalize(crate);
        var found = await db.Versions.Where(v => v.Crate.NormalizedName == normalized && v.Version == version)
            .Select(v => new { v.Id, Crate = v.Crate.Name, v.Version, v.Checksum, v.Yanked, v.PublishedAt, v.BinaryTargets, v.RemovedAt })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return ApiProblems.NotFound(await db.Crates.AnyAsync(c => c.NormalizedName == normalized, cancellationToken)
                ? $"{crate} has no version {version}" : $"no crate named '{crate}'");
        }
        if (found.RemovedAt is { } removedAt)
        {
            return ApiProblems.Gone(ApiProblems.Removed(found.Crate, found.Version, removedAt));
        }
        var jobs = await db.Jobs.Where(j => j.VersionId == found.Id).OrderBy(j => j.CreatedAt).ThenBy(j => j.Id)
            .Select(JobViews.Summary).ToListAsync(cancellationToken);
        var artifacts = await ArtifactViews.WhereAsync(db, a => a.Job.VersionId == found.Id, request, cancellationToken);
        var positions = await QueuePositions.OfAsync(db, jobs.Where(j => j.State == JobState.Queued).Select(j => j.Id), cancellationToken);
        var rows = jobs.Select(j => new JobRow(found.Id, j.Kind, j.Target, j.Attempt, j.State, j.Outcome)).ToList();
        var targets = BuildStates.PerTarget(rows).Select(t =>
        {
            var newest = jobs.Where(j => j.Target == t.Target).MaxBy(j => j.Attempt)!;
            return new TargetBuild(t.Target, t.State, t.Outcome, positions.GetValueOrDefault(newest.Id),
                [.. artifacts.Where(a => jobs.Any(j => j.Id == a.JobId && j.Target == t.Target)).OrderByDescending(a => a.CreatedAt)]);
        }).ToList();
        return TypedResults.Ok(new VersionDetails(found.Crate, found.Version, found.Checksum, found.Yanked, found.PublishedAt,
            found.BinaryTargets, found.BinaryTargets is { Length: 0 }, jobs, targets));
    }

    private static Task<List<SearchHit>> PageAsync(BuildsRsDbContext db, string sql, string q, string prefix, int limit, int offset, CancellationToken cancellationToken) =>
        db.Database.SqlQueryRaw<SearchHit>(sql, new NpgsqlParameter("q", q), new NpgsqlParameter("prefix", prefix),
            new NpgsqlParameter("limit", limit), new NpgsqlParameter("offset", offset)).ToListAsync(cancellationToken);

    private static async Task<long> CountAsync(BuildsRsDbContext db, string sql, string q, string prefix, CancellationToken cancellationToken) =>
        (await db.Database.SqlQueryRaw<long>(sql, new NpgsqlParameter("q", q), new NpgsqlParameter("prefix", prefix),
            new NpgsqlParameter("cap", CrateQueries.CountLimit)).ToListAsync(cancellationToken))[0];

    internal sealed record SearchHit(long Id, string Name);
}
