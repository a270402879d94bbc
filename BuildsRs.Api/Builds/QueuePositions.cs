using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BuildsRs.Api.Builds;

internal static class QueuePositions
{
    private static readonly string Queued = EnumText.Sql(JobState.Queued);

    private static readonly string PositionsSql = $"""
        SELECT j.id AS job_id,
               (SELECT count(*) FROM jobs q
                WHERE q.state = {Queued}
                  AND (q.priority > j.priority OR (q.priority = j.priority AND (q.created_at, q.id) <= (j.created_at, j.id)))) AS position
        FROM jobs j WHERE j.id = ANY(@ids) AND j.state = {Queued}
        """;

    /// <summary>
    /// Where queued jobs stand (1 = next), in the claim's own order: priority, then age. A builder skips jobs of
    /// targets it does not build, so for one target a job may come sooner than its position says.
    /// </summary>
    public static async Task<Dictionary<long, long>> OfAsync(BuildsRsDbContext db, IEnumerable<long> jobIds, CancellationToken cancellationToken)
    {
        var ids = jobIds.ToArray();
        if (ids.Length == 0)
        {
            return [];
        }
        var rows = await db.Database.SqlQueryRaw<QueuedJob>(PositionsSql, new NpgsqlParameter("ids", ids))
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.JobId, r => r.Position);
    }

    internal sealed record QueuedJob(long JobId, long Position);
}
