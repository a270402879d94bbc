using BuildsRs.Api.Apis;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Contracts;
using BuildsRs.Data;
using BuildsRs.Contracts.Jobs;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Downloads;

/// <summary>
/// Finds the artifact behind <c>/builds/{crate}/{version|latest}/{target}</c>: a version's newest successful attempt;
/// <c>latest</c> is the newest non-yanked version that has one for the target. A version the registry's index no
/// longer lists is not served (410, with when it went). Every step uses an index, so an installer probing addresses
/// that do not exist gets its 404 at once.
/// </summary>
internal sealed class BuildResolver(BuildsRsDbContext db, ReusedAnswers answers)
{
    public const string Latest = "latest";

    /// <summary>The build, or why there is none (to say in the 404, or the 410 of a removed version); answers are reused
    /// until the crate changes.</summary>
    public Task<(StoredBuild? Build, BuildMissing? Missing)> FindAsync(string crate, string version, string target, CancellationToken cancellationToken) =>
        answers.GetOrAddAsync(crate, (nameof(BuildResolver), CrateName.Normalize(crate), version, target),
            () => FindInDatabaseAsync(crate, version, target, cancellationToken));

    private async Task<(StoredBuild? Build, BuildMissing? Missing)> FindInDatabaseAsync(string crate, string version, string target, CancellationToken cancellationToken)
    {
        var normalized = CrateName.Normalize(crate);
        var builds = db.Artifacts.Where(a => a.Job.Version.Crate.NormalizedName == normalized && a.Job.Target == target && a.Job.State == JobState.Succeeded
            && a.Job.Version.RemovedAt == null);
        builds = version == Latest ? builds.Where(a => !a.Job.Version.Yanked) : builds.Where(a => a.Job.Version.Version == version);
        var candidates = await builds
            .Select(a => new { a.Job.Attempt, Build = new StoredBuild(a.Id, a.JobId, a.Job.Version.Crate.Name, a.Job.Version.Version, a.StorageKey, a.FileName, a.Sha256, a.Size,
                a.Machine, a.Linkage, a.GlibcFloor, a.Signature) })
            .ToListAsync(cancellationToken);
        var newest = candidates.GroupBy(c => c.Build.Version).Select(g => g.MaxBy(c => c.Attempt)!.Build);
        // Yanked versions were left out above for "latest"; a version asked for by number is served even when yanked.
        if (VersionNumber.Latest(newest, b => b.Version, _ => false) is { } found)
        {
            return (found, null);
        }
        return (null, await MissingAsync(crate, normalized, version, target, cancellationToken));
    }

    private async Task<BuildMissing> MissingAsync(string crate, string normalized, string version, string target, CancellationToken cancellationToken)
    {
        if (!await db.Crates.AnyAsync(c => c.NormalizedName == normalized, cancellationToken))
        {
            return new($"no crate named '{crate}'");
        }
        if (version != Latest)
        {
            var asked = await db.Versions.Where(v => v.Crate.NormalizedName == normalized && v.Version == version)
                .Select(v => new { v.Crate.Name, v.RemovedAt }).SingleOrDefaultAsync(cancellationToken);
            if (asked is null)
            {
                return new($"{crate} has no version {version}");
            }
            if (asked.RemovedAt is { } removedAt)
            {
                return new(ApiProblems.Removed(asked.Name, version, removedAt), Gone: true);
            }
        }
        var built = db.Artifacts.Where(a => a.Job.Version.Crate.NormalizedName == normalized && a.Job.State == JobState.Succeeded
            && a.Job.Version.RemovedAt == null);
        built = version == Latest ? built.Where(a => !a.Job.Version.Yanked) : built.Where(a => a.Job.Version.Version == version);
        var targets = await built.Select(a => a.Job.Target!).Distinct().OrderBy(t => t).ToListAsync(cancellationToken);
        var existing = targets.Count == 0 ? "" : $"; built for {string.Join(", ", targets)}";
        return new(version == Latest
            ? $"no version of {crate} that is not yanked has a successful build for {target}{existing}"
            : $"{crate} {version} has no successful build for {target}{existing}");
    }
}

/// <summary>Why a build is not served: <see cref="Gone"/> when its version was removed from the registry's index.</summary>
internal sealed record BuildMissing(string Reason, bool Gone = false);
