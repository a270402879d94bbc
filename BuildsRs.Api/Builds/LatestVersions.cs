using BuildsRs.Contracts;
using BuildsRs.Contracts.Api;
using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Builds;

/// <summary>The newest version of crates (stable before pre-release, yanked only when nothing else is left) and
/// where its build stands: what search hits, badges and feeds show.</summary>
internal static class LatestVersions
{
    public static async Task<Dictionary<long, CrateLatest>> OfAsync(BuildsRsDbContext db, IReadOnlyCollection<long> crateIds, CancellationToken cancellationToken)
    {
        var versions = await db.Versions.Where(v => crateIds.Contains(v.CrateId))
            .Select(v => new { v.Id, v.CrateId, v.Version, v.Yanked, v.BinaryTargets }).ToListAsync(cancellationToken);
        var latest = versions.GroupBy(v => v.CrateId).ToDictionary(g => g.Key,
            g => (Newest: VersionNumber.Latest(g.Where(v => !v.Yanked), v => v.Version) ?? VersionNumber.Latest(g, v => v.Version)!, Count: g.Count()));
        var jobs = await JobRow.ForVersionsAsync(db, [.. latest.Values.Select(v => v.Newest.Id)], cancellationToken);
        return latest.ToDictionary(l => l.Key, l => new CrateLatest(l.Value.Count,
            new BuildState(l.Value.Newest.Version, BuildStates.Overall([.. jobs[l.Value.Newest.Id]], l.Value.Newest.BinaryTargets))));
    }
}

internal sealed record CrateLatest(int Versions, BuildState Build);
