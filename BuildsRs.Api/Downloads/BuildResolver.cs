using BuildsRs.Api.Infrastructure;
using BuildsRs.Contracts;
using BuildsRs.Data;
using BuildsRs.Contracts.Jobs;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Downloads;

/// <summary>
/// Finds the artifact behind <c>/builds/{crate}/{version|latest}/{target}</c>: a version's newest successful attempt;
/// <c>latest</c> is the newest non-yanked version that has one for the target. Every step uses an index, so an
/// installer probing addresses that do not exist gets its 404 at once.
/// </summary>
internal sealed class BuildResolver(BuildsRsDbContext db, ReusedAnswers answers)
{
    public const string Latest = "latest";

    /// <summary>The build, or why there is none (to say in the 404); answers are reused until the crate changes.</summary>
    public Task<(StoredBuild? Build, string? Missing)> FindAsync(string crate, string version, string target, CancellationToken cancellationToken) =>
        answers.GetOrAddAsync(crate, (nameof(BuildResolver), CrateName.Normalize(crate), version, target),
            () => FindInDatabaseAsync(crate, version, target, cancellationToken));

    private async Task<(StoredBuild? Build, string? Missing)> FindInDatabaseAsync(string crate, string version, string target, CancellationToken cancellationToken)
    {
        var normalized = CrateName.Normalize(crate);
        var builds = db.Artifacts.Where(a => a.Job.Version.Crate.NormalizedName == normalized && a.Job.Target == target && a.Job.State == JobState.Succeeded);
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

    private async Task<string> MissingAsync(string crate, string normalized, string version, string target, CancellationToken cancellationToken)
    {
        if (!await db.Crates.AnyAsync(c => c.NormalizedName == normalized, cancellationToken))
        {
            return $"no crate named '{crate}'";
        }
        if (version != Latest && !await db.Versions.AnyAsync(v => v.Crate.NormalizedName == normalized && v.Version == version, cancellationToken))
        {
            return $"{crate} has no version {version}";
        }
        var built = db.Artifacts.Where(a => a.Job.Version.Crate.NormalizedName == normalized && a.Job.State == JobState.Succeeded);
        built = version == Latest ? built.Where(a => !a.Job.Version.Yanked) : built.Where(a => a.Job.Version.Version == version);
        var targets = await built.Select(a => a.Job.Target!).Distinct().OrderBy(t => t).ToListAsync(cancellationToken);
        var existing = targets.Count == 0 ? "" : $"; built for {string.Join(", ", targets)}";
        return version == Latest
            ? $"no version of {crate} that is not yanked has a successful build for {target}{existing}"
            : $"{crate} {version} has no successful build for {target}{existing}";
    }
}
