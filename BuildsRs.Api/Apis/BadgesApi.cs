using BuildsRs.Api.Builds;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Apis;

/// <summary><c>/badges/{crate}.svg</c>: the build state of a crate's latest version, for its README.</summary>
public static class BadgesApi
{
    public static IEndpointRouteBuilder MapBadgesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/badges/{file}", GetAsync).WithTags("Badges").CacheOutput(PublicCaching.PolicyName)
            .WithSummary("An SVG badge for /badges/{crate}.svg: the latest version's state (succeeded, failed, queued, running, pending, library, cancelled) or yanked.");
        return app;
    }

    public static async Task<IResult> GetAsync(string file, HttpResponse response, BuildsRsDbContext db, CancellationToken cancellationToken)
    {
        var crate = file.EndsWith(".svg", StringComparison.Ordinal) ? file[..^4] : file;
        if (ApiProblems.Invalid(crate) is { } invalid)
        {
            return invalid;
        }
        var normalized = CrateName.Normalize(crate);
        var id = await db.Crates.Where(c => c.NormalizedName == normalized).Select(c => (long?)c.Id).SingleOrDefaultAsync(cancellationToken);
        if (id is null)
        {
            return ApiProblems.NotFound($"no crate named '{crate}'");
        }
        var latest = (await LatestVersions.OfAsync(db, [id.Value], cancellationToken)).GetValueOrDefault(id.Value);
        // Short enough that a README shows a new build within minutes.
        response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Text(Badge.Svg(latest is null ? VersionState.Pending : latest.Build?.State), "image/svg+xml; charset=utf-8");
    }
}
