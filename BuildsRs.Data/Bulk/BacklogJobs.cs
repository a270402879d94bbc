using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Jobs;
using Npgsql;
using NpgsqlTypes;

namespace BuildsRs.Data.Bulk;

/// <summary>
/// The metadata jobs of a first import's backlog, ranked as <see cref="JobLifecycleSql.QueueMetadataForNew"/> ranks a
/// backfill: each crate's newest version that is not yanked at the backfill priority, its older ones after every one
/// of those, ids drawn newest publication first (the claim takes the lowest id among equal priorities), and among equal
/// publish times the lower version id first. Every version is new and passes through here as it is written, so the
/// ranking costs an in-memory sort, where the statement would scan and sort a whole registry three times, and the jobs
/// go in with one COPY, in their versions' order.
/// </summary>
internal sealed class BacklogJobs
{
    private static readonly string Metadata = EnumText.Of(JobKind.Metadata);
    private static readonly string Queued = EnumText.Of(JobState.Queued);

    /// <summary>In version id order.</summary>
    private readonly List<Candidate> candidates = [];

    /// <param name="PublishedTicks">UTC ticks of the publication; <see cref="long.MinValue"/> without one, so that a
    /// version without a publish time counts as the oldest (NULLS LAST).</param>
    private readonly record struct Candidate(long VersionId, long PublishedTicks, bool Newest);

    /// <summary>One crate's versions, which take the ids from <paramref name="firstId"/> on, in order.</summary>
    public void AddCrate(long firstId, IReadOnlyList<IndexVersionRow> versions)
    {
        var newest = -1;
        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i].Yanked)
            {
                continue;
            }
            var published = versions[i].PublishedAt?.UtcTicks ?? long.MinValue;
            // Strictly newer only: among equal times the lower id, which is the crate's later index line, stays newest.
            if (newest < 0 || published > candidates[newest].PublishedTicks)
            {
                newest = candidates.Count;
            }
            candidates.Add(new Candidate(firstId + i, published, false));
        }
        if (newest >= 0)
        {
            candidates[newest] = candidates[newest] with { Newest = true };
        }
    }

    /// <summary>Writes the jobs <paramref name="jobs"/> asks for (a backfill); returns how many.</summary>
    public async Task<int> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, NewVersionJobs jobs, CancellationToken cancellationToken)
    {
        var queued = jobs.QueueOlder ? candidates : candidates.FindAll(c => c.Newest);
        if (queued.Count == 0)
        {
            return 0;
        }
        var claimOrder = new int[queued.Count];
        for (var i = 0; i < claimOrder.Length; i++)
        {
            claimOrder[i] = i;
        }
        Array.Sort(claimOrder, (a, b) =>
        {
            var byTime = queued[b].PublishedTicks.CompareTo(queued[a].PublishedTicks);
            return byTime != 0 ? byTime : queued[a].VersionId.CompareTo(queued[b].VersionId);
        });
        var firstId = await ReserveJobIdsAsync(connection, transaction, queued.Count, cancellationToken);
        // Every job belongs to a version, and there were none before this import: the table is empty.
        var jobIndexes = await DeferredIndexes.DropAsync(connection, transaction, "jobs", "versions", cancellationToken);
        var jobIds = new long[queued.Count];
        for (var rank = 0; rank < claimOrder.Length; rank++)
        {
            jobIds[claimOrder[rank]] = firstId + rank;
        }

        await using (var copy = await connection.BeginBinaryImportAsync(IndexImportSql.CopyBacklogJobs, cancellationToken))
        {
            copy.Timeout = TimeSpan.Zero;
            for (var i = 0; i < queued.Count; i++)
            {
                copy.StartRow();
                copy.Write(jobIds[i], NpgsqlDbType.Bigint);
                copy.Write(queued[i].VersionId, NpgsqlDbType.Bigint);
                copy.Write(Metadata, NpgsqlDbType.Varchar);
                copy.Write(Queued, NpgsqlDbType.Varchar);
                copy.Write(queued[i].Newest ? jobs.Priority : jobs.OlderPriority, NpgsqlDbType.Integer);
                copy.Write(0, NpgsqlDbType.Integer);
                copy.Write(0, NpgsqlDbType.Integer);
                if (jobs.TraceParent is null)
                {
                    copy.WriteNull();
                }
                else
                {
                    copy.Write(jobs.TraceParent, NpgsqlDbType.Varchar);
                }
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await jobIndexes.RestoreAsync(cancellationToken);
        return queued.Count;
    }

    /// <summary>The first of <paramref name="count"/> consecutive job ids, taken from the jobs' sequence.</summary>
    private static async Task<long> ReserveJobIdsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int count, CancellationToken cancellationToken)
    {
        await using var reserve = new NpgsqlCommand(IndexImportSql.ReserveJobIds, connection, transaction)
        {
            Parameters = { new NpgsqlParameter<long>("count", count) },
        };
        return (long)(await reserve.ExecuteScalarAsync(cancellationToken))!;
    }
}
