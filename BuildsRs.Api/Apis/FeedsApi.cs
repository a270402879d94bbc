using System.ServiceModel.Syndication;
using System.Text;
using System.Xml;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Api.Builds;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Apis;

/// <summary>Atom feeds of finished binary builds: all of them, or one crate's.</summary>
public static class FeedsApi
{
    private const int Entries = 50;

    public static IEndpointRouteBuilder MapFeedsApi(this IEndpointRouteBuilder app)
    {
        var feeds = app.MapGroup("/feeds").WithTags("Feeds").RequireRateLimiting(PublicLimits.Listings).CacheOutput(PublicCaching.PolicyName);
        feeds.MapGet("/builds.atom", (HttpRequest request, BuildsRsDbContext db, CancellationToken ct) => FeedAsync(request, db, null, ct))
            .WithSummary("The latest finished builds, as Atom.");
        feeds.MapGet("/crates/{file}", (string file, HttpRequest request, BuildsRsDbContext db, CancellationToken ct) =>
                FeedAsync(request, db, file.EndsWith(".atom", StringComparison.Ordinal) ? file[..^5] : file, ct))
            .WithSummary("One crate's finished builds, as Atom: /feeds/crates/{crate}.atom.");
        return app;
    }

    private static async Task<IResult> FeedAsync(HttpRequest request, BuildsRsDbContext db, string? crate, CancellationToken cancellationToken)
    {
        var jobs = FinishedBuilds.Of(db);
        if (crate is not null)
        {
            if (ApiProblems.Invalid(crate) is { } invalid)
            {
                return invalid;
            }
            var normalized = CrateName.Normalize(crate);
            if (!await db.Crates.AnyAsync(c => c.NormalizedName == normalized, cancellationToken))
            {
                return ApiProblems.NotFound($"no crate named '{crate}'");
            }
            jobs = jobs.Where(j => j.Version.Crate.NormalizedName == normalized);
        }
        var builds = await jobs.OrderByDescending(j => j.FinishedAt).Take(Entries)
            .Select(j => new { j.Id, Crate = j.Version.Crate.Name, j.Version.Version, j.Target, j.Outcome, FinishedAt = j.FinishedAt!.Value })
            .ToListAsync(cancellationToken);

        var site = $"{request.Scheme}://{request.Host}";
        var feed = new SyndicationFeed(crate is null ? "BuildsRs: finished builds" : $"BuildsRs: builds of {crate}",
            "Binaries built from crates, in a sandbox", new Uri(site + request.Path), $"{site}{request.Path}",
            builds.Count > 0 ? builds[0].FinishedAt : DateTimeOffset.UnixEpoch)
        {
            Items = builds.Select(b =>
            {
                var outcome = EnumText.Of(b.Outcome ?? JobOutcome.InfrastructureError);
                var item = new SyndicationItem($"{b.Crate} {b.Version} for {b.Target}: {outcome}",
                    b.Outcome == JobOutcome.Succeeded ? $"Download: {site}/builds/{b.Crate}/{b.Version}/{b.Target}" : $"The build ended as {outcome}.",
                    new Uri($"{site}/api/v1/jobs/{b.Id}"), $"{site}/api/v1/jobs/{b.Id}", b.FinishedAt);
                item.Categories.Add(new SyndicationCategory(outcome));
                return item;
            }).ToList(),
        };
        using var text = new Utf8StringWriter();
        using (var writer = XmlWriter.Create(text, new XmlWriterSettings { Indent = true, Async = false }))
        {
            feed.SaveAsAtom10(writer);
        }
        return TypedResults.Text(text.ToString(), "application/atom+xml; charset=utf-8");
    }

    /// <summary>The XML declaration must say UTF-8, which the response is.</summary>
    private sealed class Utf8StringWriter : StringWriter
    {
        public Utf8StringWriter() : base(System.Globalization.CultureInfo.InvariantCulture) { }

        public override Encoding Encoding => Encoding.UTF8;
    }
}
