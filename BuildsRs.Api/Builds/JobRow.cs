using BuildsRs.Data;
using BuildsRs.Contracts.Jobs;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Api.Builds;

/// <summary>The part of a job that says where a version stands.</summary>
internal sealed record JobRow(long VersionId, JobKind Kind, string? Target, int Attempt, JobState State, JobOutcome? Outcome)
{
    public static async Task<ILookup<long, JobRow>> ForVersionsAsync(BuildsRsDbContext db, IReadOnlyCollection<long> versionIds, CancellationToken cancellationToken) =>
        (await db.Jobs.Where(j => versionIds.Contains(j.VersionId))
            .Select(j => new JobRow(j.VersionId, j.Kind, j.Target, j.Attempt, j.State, j.Outcome)).ToListAsync(cancellationToken))
        .ToLookup(j => j.VersionId);
}
