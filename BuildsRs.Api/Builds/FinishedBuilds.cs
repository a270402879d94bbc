using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using static BuildsRs.Contracts.EnumText;

namespace BuildsRs.Api.Builds;

/// <summary>
/// What "a finished build" means wherever builds are counted or listed (the overview, feeds, statistics): a binary job
/// that ran to its end, succeeded or failed. Cancelled jobs and metadata jobs are not builds that finished.
/// </summary>
internal static class FinishedBuilds
{
    public static IQueryable<Job> Of(BuildsRsDbContext db) =>
        db.Jobs.Where(j => j.Kind == JobKind.Binary && (j.State == JobState.Succeeded || j.State == JobState.Failed) && j.FinishedAt != null);

    /// <summary>The same, as a condition on <c>jobs</c> for raw SQL.</summary>
    public static readonly string Sql =
        $"kind = {Sql(JobKind.Binary)} AND state IN ({Sql(JobState.Succeeded)}, {Sql(JobState.Failed)}) AND finished_at IS NOT NULL";
}
