using System.Linq.Expressions;
using BuildsRs.Contracts.Api;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Builds;

internal static class ArtifactViews
{
    /// <summary>The stored artifacts <paramref name="which"/> selects, each with its download count.</summary>
    public static async Task<List<ArtifactInfo>> WhereAsync(
        BuildsRsDbContext db, Expression<Func<Artifact, bool>> which, HttpRequest request, CancellationToken cancellationToken) =>
        (await db.Artifacts.Where(which)
            .Select(a => new
            {
                a.JobId, a.FileName, a.Size, a.Sha256, a.CreatedAt, a.Machine, a.Linkage, a.GlibcFloor, a.Job.Target, a.Job.Version.Version, Crate = a.Job.Version.Crate.Name,
                Downloads = db.DailyDownloads.Where(d => d.ArtifactId == a.Id).Sum(d => (long?)d.Count) ?? 0,
            })
            .ToListAsync(cancellationToken))
        .Select(a => new ArtifactInfo(a.JobId, a.FileName, a.Size, a.Sha256, DownloadUrl(request, a.Crate, a.Version, a.Target!), a.Downloads, a.CreatedAt,
            a.Machine, a.Linkage, a.GlibcFloor))
        .ToList();

    /// <summary>The stable download address of a version's build for a target (the newest successful attempt).</summary>
    public static string DownloadUrl(HttpRequest request, string crate, string version, string target) =>
        $"{request.Scheme}://{request.Host}/builds/{crate}/{version}/{target}";
}
