using Npgsql;
using NpgsqlTypes;

namespace BuildsRs.Data.Bulk;

/// <summary>
/// An import into a database that has crates already: the rows are streamed into a staging table with binary COPY,
/// then applied with set-based statements (new crates and versions, changed versions such as yanks, versions the index
/// no longer lists marked removed), and new non-yanked versions get one <c>metadata</c> job each.
/// </summary>
internal sealed class StagedImport : IndexImport
{
    private readonly NpgsqlBinaryImporter rows;
    private readonly HashSet<string> scope = [];
    private readonly HashSet<string> protectedCrates = [];
    private bool staged;

    private StagedImport(NpgsqlConnection connection, NpgsqlTransaction transaction, NpgsqlBinaryImporter rows) : base(connection, transaction)
    {
        this.rows = rows;
    }

    public static async Task<StagedImport> BeginAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using (var create = new NpgsqlCommand(IndexImportSql.CreateStaging, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        var rows = await connection.BeginBinaryImportAsync(IndexImportSql.CopyVersions, cancellationToken);
        // Completing a COPY of a whole index takes as long as the database needs: the pass's cancellation bounds it.
        rows.Timeout = TimeSpan.Zero;
        return new StagedImport(connection, transaction, rows);
    }

    /// <remarks>Synchronous on purpose: the importer buffers rows and only flushes when its buffer is full, so an async
    /// call per field would cost millions of state machines on a full import for no benefit.</remarks>
    public override void Add(IndexVersionRow row)
    {
        rows.StartRow();
        rows.Write(row.CrateName, NpgsqlDbType.Text);
        rows.Write(Contracts.CrateName.Normalize(row.CrateName), NpgsqlDbType.Text);
        WriteVersionFields(rows, row, NpgsqlDbType.Text);
    }

    public override void AddToScope(string crateName) => scope.Add(Contracts.CrateName.Normalize(crateName));

    public override void ProtectFromDeletion(string crateName) => protectedCrates.Add(Contracts.CrateName.Normalize(crateName));

    private protected override async Task<IndexImportResult> ApplyAsync(bool wholeIndex, Jobs.NewVersionJobs jobs, RemovalLimit? removalLimit,
        CancellationToken cancellationToken)
    {
        await rows.CompleteAsync(cancellationToken);
        await rows.DisposeAsync();
        staged = true;

        await CopyNamesAsync(IndexImportSql.CopyProtected, protectedCrates, cancellationToken);
        if (!wholeIndex)
        {
            await CopyNamesAsync(IndexImportSql.CopyScope, scope, cancellationToken);
            await ExecuteAsync(IndexImportSql.FillScopeFromStaging, cancellationToken);
        }

        if (removalLimit is not null)
        {
            var counted = await ReadCountsAsync(IndexImportSql.CountRemovals(wholeIndex), [], cancellationToken);
            if (removalLimit.Holds(removals: counted[1], covered: counted[0]))
            {
                throw new RemovalsHeldException(counted[1], counted[0], removalLimit);
            }
        }
        var cratesAdded = (await ReadCountsAsync(IndexImportSql.InsertCrates, [], cancellationToken))[0];
        var removed = await ReadCountsAsync(IndexImportSql.RemoveVersions(wholeIndex), [], cancellationToken);
        var updated = await ReadCountsAsync(IndexImportSql.UpdateVersions, JobParameters(jobs), cancellationToken);
        var (changed, yanked, unyanked, returnedQueued, yankCancelled, restored) = (updated[0], updated[1], updated[2], updated[3], updated[4], updated[5]);
        var inserted = await ReadCountsAsync(IndexImportSql.InsertVersionsAndJobs(jobs.Backfill), JobParameters(jobs), cancellationToken);
        var (versionsAdded, jobsQueued) = (inserted[0], inserted[1] + returnedQueued);
        return new IndexImportResult(cratesAdded, versionsAdded, removed[0], restored, changed - restored, yanked, unyanked, jobsQueued,
            yankCancelled + removed[1]);
    }

    private async Task CopyNamesAsync(string copy, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        await using var importer = await Connection.BeginBinaryImportAsync(copy, cancellationToken);
        importer.Timeout = TimeSpan.Zero;
        foreach (var name in names)
        {
            await importer.WriteRowAsync(cancellationToken, name);
        }
        await importer.CompleteAsync(cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!staged)
        {
            await rows.DisposeAsync();
        }
        await base.DisposeAsync();
    }
}
