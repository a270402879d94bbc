using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace BuildsRs.Data.Jobs.Results;

/// <summary>A running job whose result its builder sent, locked until the result is recorded.</summary>
/// <param name="BuilderId">The builder that holds it.</param>
/// <param name="HostId">That builder's host.</param>
internal sealed record HeldJob(long Id, JobKind Kind, string? Target, int Claims, string? TraceParent, long? ArtifactId, long BuilderId, long HostId)
{
    /// <summary>
    /// The job, locked, when <paramref name="builderId"/> holds it and may act (it and its host enabled); null otherwise.
    /// Raw SQL for the row lock: the result is recorded against the job as it is now, and a cancel or a lease that runs
    /// out meanwhile waits for it.
    /// </summary>
    public static async Task<HeldJob?> LockAsync(BuildsRsDbContext db, long builderId, long jobId, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQueryRaw<Row>(Lock, new NpgsqlParameter("job", jobId), new NpgsqlParameter("builder", builderId))
            .ToListAsync(cancellationToken);
        return rows is [var row]
            ? new HeldJob(row.Id, EnumText.Parse<JobKind>(row.Kind), row.Target, row.Claims, row.TraceParent, row.ArtifactId, builderId, row.HostId)
            : null;
    }

    private static readonly string Lock = $"""
        SELECT j.id, j.kind, j.target, j.claims, j.trace_parent, j.artifact_id, b.host_id
        FROM jobs j JOIN builders b ON b.id = j.builder_id
        WHERE j.id = @job AND j.state = {EnumText.Sql(JobState.Running)} AND j.builder_id = @builder AND {JobLifecycleSql.BuilderEnabled}
        FOR UPDATE OF j
        """;

    private sealed record Row(long Id, string Kind, string? Target, int Claims, string? TraceParent, long? ArtifactId, long HostId);
}
