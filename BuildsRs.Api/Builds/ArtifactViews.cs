using System.Linq.Expressions;
using BuildsRs.Contracts.Api;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Builds;

internal static class ArtifactViews
{
    /// <summary>The stored artifacts <paramref name="which"/> selects, each with its download count, what vouches for it
    /// and its verification.</summary>
    public static async Task<List<ArtifactInfo>> WhereAsync(
        BuildsRsDbContext db, Expression<Func<Artifact, bool>> which, HttpRequest request, CancellationToken cancellationToken) =>
        (await db.Artifacts.Where(which)
            .Select(a => new
            {
                a.JobId, a.FileName, a.Size, a.Sha256, a.CreatedAt, a.Machine, a.Linkage, a.GlibcFloor, a.Subsystem, a.Dlls, a.Job.Target, a.Job.Version.Version, Crate = a.Job.Version.Crate.Name,
                Downloads = db.DailyDownloads.Where(d => d.ArtifactId == a.Id).Sum(d => (long?)d.Count) ?? 0,
                Signed = a.Signature != null, Recorded = a.Job.BuilderImage != null, Locked = a.Job.LockfileSha256 != null,
                Verifications = a.Verifications.OrderBy(v => v.CreatedAt).Select(v => new { v.Reproduced, v.Builder.Name, v.CreatedAt, v.Differences }).ToList(),
            })
            .ToListAsync(cancellationToken))
        .Select(a =>
        {
            var url = DownloadUrl(request, a.Crate, a.Version, a.Target!);
            var state = a.Verifications.Count == 0 ? VerificationState.Unchecked
                : a.Verifications.All(v => v.Reproduced) ? VerificationState.Reproduced : VerificationState.Differs;
            return new ArtifactInfo(a.JobId, a.FileName, a.Size, a.Sha256, url, a.Downloads, a.CreatedAt, a.Machine, a.Linkage, a.GlibcFloor,
                a.Signed ? url + ".minisig" : null, a.Recorded ? url + ".intoto.jsonl" : null, a.Locked ? url + ".Cargo.lock" : null,
                state, [.. a.Verifications.Where(v => v.Reproduced).Select(v => v.Name).Distinct()], a.Verifications.LastOrDefault()?.CreatedAt,
                [.. a.Verifications.Where(v => !v.Reproduced).SelectMany(v => v.Differences).Distinct()], a.Subsystem, a.Dlls);
        })
        .ToList();

    /// <summary>The stable download address of a version's build for a target (the newest successful attempt).</summary>
    public static string DownloadUrl(HttpRequest request, string crate, string version, string target) =>
        $"{request.Scheme}://{request.Host}/builds/{crate}/{version}/{target}";
}
