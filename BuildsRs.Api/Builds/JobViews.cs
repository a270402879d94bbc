using System.Linq.Expressions;
using BuildsRs.Contracts.Api;
using BuildsRs.Data;
using BuildsRs.Data.Model;

namespace BuildsRs.Api.Builds;

internal static class JobViews
{
    /// <summary>A job as the API shows it; the database reads the columns, the enum names are spelled here.</summary>
    public static readonly Expression<Func<Job, JobSummary>> Summary = j => new JobSummary(
        j.Id, EnumText.Of(j.Kind), j.Target, j.Attempt, EnumText.Of(j.State), j.Outcome == null ? null : EnumText.Of(j.Outcome.Value),
        j.StartedAt != null && j.FinishedAt != null ? (j.FinishedAt.Value - j.StartedAt.Value).TotalSeconds : null,
        j.Builder != null ? j.Builder.Name : null, j.CreatedAt, j.StartedAt, j.FinishedAt);
}
