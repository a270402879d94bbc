using BuildsRs.Contracts;
using BuildsRs.Contracts.Api;
using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Builds;

/// <summary>The latest version of crates (<see cref="VersionNumber.Latest{T}"/>) and where its build stands: what
/// search hits, badges and feeds show.</summary>
internal static class LatestVersions
{
    public static async Task<Dictionary<long, CrateLatest>> OfAsync(BuildsRsDbContext db, IReadOnlyCollection<long> crateIds, CancellationToken cancellationToken)
    {
        var versions = await db.Versions.Where(v => crateIds.Contains(v.CrateId) && v.RemovedAt == null)
            .Select(v => new { v.Id, v.CrateId, v.Version, v.Yanked, v.BinaryTargets }).ToListAsync(cancellationToken);
        var latest = versions.GroupBy(v => v.CrateId).ToDictionary(g => g.Key,
            g => (Latest: VersionNumber.Latest(g, v => v.Version, v => v.Yanked), Count: g.Count()));
        var jobs = await JobRow.ForVersionsAsync(db, [.. latest.Values.Where(v => v.Latest is not null).Select(v => v.Latest!.Id)], cancellationToken);
        return latest.ToDictionary(l => l.Key, l => new CrateLatest(l.Value.Count, l.Value.Latest is { } version
            ? new BuildState(version.Version, BuildStates.Overall([.. jobs[version.Id]], version.BinaryTargets))
            : null));
    }
}

/// <summary>A crate's number of versions and its latest one's state; no state when every version is yanked.</summary>
internal sealed record CrateLatest(int Versions, BuildState? Build);
