using System.Linq.Expressions;
using BuildsRs.Contracts.Api;
using BuildsRs.Data.Model;

namespace BuildsRs.Api.Builds;

internal static class JobViews
{
    /// <summary>A job as the API shows it.</summary>
    public static readonly Expression<Func<Job, JobSummary>> Summary = j => new JobSummary(
        j.Id, j.Kind, j.Target, j.Attempt, j.State, j.Outcome,
        j.StartedAt != null && j.FinishedAt != null ? (j.FinishedAt.Value - j.StartedAt.Value).TotalSeconds : null,
        j.Builder != null ? j.Builder.Name : null, j.CreatedAt, j.StartedAt, j.FinishedAt);
}
