using BuildsRs.Data.Jobs;
using Npgsql;
using NpgsqlTypes;

namespace BuildsRs.Data.Bulk;

/// <summary>
/// Brings the crates and versions of the database in step with what the registry index states, in one transaction:
/// rows are streamed into a staging table with binary COPY, then applied with set-based statements (new crates and
/// versions, changed versions such as yanks, versions and crates the index no longer has), new non-yanked versions
/// get one <c>metadata</c> job each, and the sync cursor moves with the data it describes.
/// Applying the same rows again changes nothing.
/// </summary>
public sealed class IndexImport : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;
    private readonly NpgsqlTransaction transaction;
    private readonly NpgsqlBinaryImporter rows;
    private readonly HashSet<string> scope = [];
    private readonly HashSet<string> protectedCrates = [];
    private bool staged;

    private IndexImport(NpgsqlConnection connection, NpgsqlTransaction transaction, NpgsqlBinaryImporter rows)
    {
        this.connection = connection;
        this.transaction = transaction;
        this.rows = rows;
    }

    /// <summary>Opens the transaction and the staging COPY on <paramref name="connection"/> (which must be open).</summary>
    public static async Task<IndexImport> BeginAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(IndexImportSql.CreateStaging, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        var rows = await connection.BeginBinaryImportAsync(IndexImportSql.CopyVersions, cancellationToken);
        // Completing a COPY of a whole index takes as long as the database needs: the pass's cancellation bounds it.
        rows.Timeout = TimeSpan.Zero;
        return new IndexImport(connection, transaction, rows);
    }

    /// <summary>Stages one version. Its crate joins the scope.</summary>
    /// <remarks>Synchronous on purpose: the importer buffers rows and only flushes when its buffer is full, so an async
    /// call per field would cost millions of state machines on a full import for no benefit.</remarks>
    public void Add(IndexVersionRow row)
    {
        rows.StartRow();
        rows.Write(row.CrateName, NpgsqlDbType.Text);
        rows.Write(Contracts.CrateName.Normalize(row.CrateName), NpgsqlDbType.Text);
        rows.Write(row.Version, NpgsqlDbType.Text);
        rows.Write(row.Checksum, NpgsqlDbType.Text);
        rows.Write(row.Yanked, NpgsqlDbType.Boolean);
        WriteNullable(row.RustVersion, NpgsqlDbType.Text);
        WriteNullable(row.PublishedAt, NpgsqlDbType.TimestampTz);
        WriteNullable(row.Links, NpgsqlDbType.Text);
        rows.Write(row.FeaturesJson, NpgsqlDbType.Text);
        rows.Write(row.DependencyCount, NpgsqlDbType.Integer);
    }

    /// <summary>
    /// Puts a crate in scope although no version of it was staged: the index no longer lists it, so its versions go.
    /// Used by partial imports, whose scope is the crates they name.
    /// </summary>
    public void AddToScope(string crateName) => scope.Add(Contracts.CrateName.Normalize(crateName));

    /// <summary>
    /// Keeps a crate's versions from being deleted in this import: some of its index lines could not be read, so the
    /// versions they describe are unknown rather than gone.
    /// </summary>
    public void ProtectFromDeletion(string crateName) => protectedCrates.Add(Contracts.CrateName.Normalize(crateName));

    /// <summary>
    /// Applies the staged rows. <paramref name="wholeIndex"/>: the staged rows are the entire index, so every crate
    /// is in scope (a full import or reconcile); otherwise only the staged and named crates are. New versions' jobs
    /// are queued as <paramref name="jobs"/> says. <paramref name="cursor"/>, when given, is recorded as the index
    /// commit now applied for <paramref name="registry"/>.
    /// </summary>
    public async Task<IndexImportResult> CommitAsync(bool wholeIndex, NewVersionJobs jobs, string registry, string? cursor, CancellationToken cancellationToken)
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

        var cratesAdded = await CountAsync(IndexImportSql.InsertCrates, cancellationToken);
        var versionsDeleted = await CountAsync(wholeIndex ? IndexImportSql.DeleteVersionsEverywhere : IndexImportSql.DeleteVersionsInScope, cancellationToken);
        NpgsqlParameter[] Jobs() =>
        [
            new NpgsqlParameter<int>("priority", jobs.Priority), new NpgsqlParameter<int>("older_priority", jobs.OlderPriority),
            new NpgsqlParameter<bool>("backfill", jobs.Backfill), new NpgsqlParameter<bool>("queue_older", jobs.QueueOlder),
            new NpgsqlParameter<int>("family_burst", jobs.FamilyBurst), new("trace_parent", (object?)jobs.TraceParent ?? DBNull.Value),
        ];
        var updated = await ReadCountsAsync(IndexImportSql.UpdateVersions, Jobs(), cancellationToken);
        var (changed, yanked, unyanked, unyankedQueued, jobsCancelled) = (updated[0], updated[1], updated[2], updated[3], updated[4]);
        var inserted = await ReadCountsAsync(IndexImportSql.InsertVersionsAndJobs(jobs.Backfill), Jobs(), cancellationToken);
        var (versionsAdded, jobsQueued) = (inserted[0], inserted[1] + unyankedQueued);
        // Last, so that a crate is judged by the versions it has after this import.
        var cratesDeleted = await CountAsync(wholeIndex ? IndexImportSql.DeleteCratesEverywhere : IndexImportSql.DeleteCratesInScope, cancellationToken);

        if (cursor is not null)
        {
            await using var save = new NpgsqlCommand(IndexImportSql.SaveCursor, connection, transaction)
            {
                Parameters = { new("registry", registry), new("cursor", cursor) },
            };
            await save.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);

        return new IndexImportResult(cratesAdded, cratesDeleted, versionsAdded, versionsDeleted, changed, yanked, unyanked, jobsQueued, jobsCancelled);
    }

    public async ValueTask DisposeAsync()
    {
        if (!staged)
        {
            await rows.DisposeAsync();
        }
        await transaction.DisposeAsync();
    }

    private void WriteNullable<T>(T? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            rows.WriteNull();
        }
        else
        {
            rows.Write(value, type);
        }
    }

    private async Task CopyNamesAsync(string copy, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(copy, cancellationToken);
        importer.Timeout = TimeSpan.Zero;
        foreach (var name in names)
        {
            await importer.WriteRowAsync(cancellationToken, name);
        }
        await importer.CompleteAsync(cancellationToken);
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<int> CountAsync(string sql, CancellationToken cancellationToken) => (await ReadCountsAsync(sql, [], cancellationToken))[0];

    /// <summary>The counts in the one row <paramref name="sql"/> answers.</summary>
    private async Task<int[]> ReadCountsAsync(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.AddRange(parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return [.. Enumerable.Range(0, reader.FieldCount).Select(i => (int)reader.GetInt64(i))];
    }
}
