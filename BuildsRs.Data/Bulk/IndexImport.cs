using BuildsRs.Data.Jobs;
using Npgsql;
using NpgsqlTypes;

namespace BuildsRs.Data.Bulk;

/// <summary>
/// Brings the crates and versions of the database in step with what the registry index states, in one transaction:
/// rows are streamed into a staging table with binary COPY, then applied with set-based statements (new crates and
/// versions, changed versions such as yanks, versions the index no longer lists marked removed), new non-yanked versions
/// get one <c>metadata</c> job each, and the sync cursor moves with the data it describes.
/// Applying the same rows again changes nothing. Into a database without crates (a registry's first import), rows are
/// written straight into the tables while they are read instead (<see cref="FirstImportWriter"/>).
/// </summary>
public sealed class IndexImport : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;
    private readonly NpgsqlTransaction transaction;
    private readonly NpgsqlBinaryImporter? rows;
    private readonly FirstImportWriter? firstImport;
    private readonly HashSet<string> scope = [];
    private readonly HashSet<string> protectedCrates = [];
    private bool staged;

    private IndexImport(NpgsqlConnection connection, NpgsqlTransaction transaction, NpgsqlBinaryImporter? rows, FirstImportWriter? firstImport)
    {
        this.connection = connection;
        this.transaction = transaction;
        this.rows = rows;
        this.firstImport = firstImport;
    }

    /// <summary>Opens the transaction on <paramref name="connection"/> (which must be open) and the COPY the rows go to.
    /// <paramref name="wholeIndexCrates"/>: for an import of a whole index, the crate of every file, as its path names it;
    /// into a database without crates, the rows are then written straight into the tables (<see cref="FirstImportWriter"/>).</summary>
    public static async Task<IndexImport> BeginAsync(NpgsqlConnection connection, IReadOnlyCollection<string>? wholeIndexCrates, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Imports take turns (only they write crates), so a database without crates stays so until this one commits.
        await using (var @lock = new NpgsqlCommand(IndexImportSql.LockCrates, connection, transaction) { CommandTimeout = 0 })
        {
            await @lock.ExecuteNonQueryAsync(cancellationToken);
        }
        if (wholeIndexCrates is not null)
        {
            await using var empty = new NpgsqlCommand(IndexImportSql.HasNoCrates, connection, transaction);
            if ((bool)(await empty.ExecuteScalarAsync(cancellationToken))!)
            {
                return new IndexImport(connection, transaction, null,
                    await FirstImportWriter.BeginAsync(connection, transaction, wholeIndexCrates, cancellationToken));
            }
        }
        await using (var create = new NpgsqlCommand(IndexImportSql.CreateStaging, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        var rows = await connection.BeginBinaryImportAsync(IndexImportSql.CopyVersions, cancellationToken);
        // Completing a COPY of a whole index takes as long as the database needs: the pass's cancellation bounds it.
        rows.Timeout = TimeSpan.Zero;
        return new IndexImport(connection, transaction, rows, null);
    }

    /// <summary>Stages one version (or, in a first import, writes it). Its crate joins the scope.</summary>
    /// <remarks>Synchronous on purpose: the importer buffers rows and only flushes when its buffer is full, so an async
    /// call per field would cost millions of state machines on a full import for no benefit.</remarks>
    public void Add(IndexVersionRow row)
    {
        var normalized = Contracts.CrateName.Normalize(row.CrateName);
        if (firstImport is not null)
        {
            firstImport.Add(row, normalized);
            return;
        }
        rows!.StartRow();
        rows.Write(row.CrateName, NpgsqlDbType.Text);
        rows.Write(normalized, NpgsqlDbType.Text);
        WriteVersionFields(rows, row, NpgsqlDbType.Text);
    }

    /// <summary>The columns a version row has in staging and in <c>versions</c>, from <c>version</c> on;
    /// <paramref name="features"/>: text to stage, jsonb to store.</summary>
    internal static void WriteVersionFields(NpgsqlBinaryImporter importer, IndexVersionRow row, NpgsqlDbType features)
    {
        importer.Write(row.Version, NpgsqlDbType.Text);
        importer.Write(row.Checksum, NpgsqlDbType.Text);
        importer.Write(row.Yanked, NpgsqlDbType.Boolean);
        WriteNullable(importer, row.RustVersion, NpgsqlDbType.Text);
        WriteNullable(importer, row.PublishedAt, NpgsqlDbType.TimestampTz);
        WriteNullable(importer, row.Links, NpgsqlDbType.Text);
        importer.Write(row.FeaturesJson, features);
        importer.Write(row.DependencyCount, NpgsqlDbType.Integer);
    }

    /// <summary>
    /// Puts a crate in scope although no version of it was staged: the index no longer lists it, so its versions are
    /// removed. Used by partial imports, whose scope is the crates they name.
    /// </summary>
    public void AddToScope(string crateName) => scope.Add(Contracts.CrateName.Normalize(crateName));

    /// <summary>
    /// Keeps a crate's versions from being removed in this import: some of its index lines could not be read, so the
    /// versions they describe are unknown rather than gone.
    /// </summary>
    public void ProtectFromDeletion(string crateName) => protectedCrates.Add(Contracts.CrateName.Normalize(crateName));

    /// <summary>
    /// Applies the rows. <paramref name="wholeIndex"/>: the staged rows are the entire index, so every crate
    /// is in scope (a full import or reconcile); otherwise only the staged and named crates are. New versions' jobs
    /// are queued as <paramref name="jobs"/> says. <paramref name="cursor"/>, when given, is recorded as the index
    /// commit now applied for <paramref name="registry"/>. With a <paramref name="removalLimit"/>, an import that
    /// would remove more than it allows changes nothing and throws <see cref="RemovalsHeldException"/>.
    /// </summary>
    public async Task<IndexImportResult> CommitAsync(bool wholeIndex, NewVersionJobs jobs, string registry, string? cursor, CancellationToken cancellationToken,
        RemovalLimit? removalLimit = null)
    {
        var result = firstImport is null
            ? await ApplyStagedAsync(wholeIndex, jobs, removalLimit, cancellationToken)
            : await WriteFirstAsync(firstImport, jobs, cancellationToken);
        if (wholeIndex)
        {
            await ExecuteAsync(IndexImportSql.AnalyzeImported, cancellationToken);
        }
        if (cursor is not null)
        {
            await using var save = new NpgsqlCommand(IndexImportSql.SaveCursor, connection, transaction)
            {
                Parameters = { new("registry", registry), new("cursor", cursor) },
            };
            await save.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private async Task<IndexImportResult> ApplyStagedAsync(bool wholeIndex, NewVersionJobs jobs, RemovalLimit? removalLimit, CancellationToken cancellationToken)
    {
        await rows!.CompleteAsync(cancellationToken);
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
        var cratesAdded = await CountAsync(IndexImportSql.InsertCrates, cancellationToken);
        var removed = await ReadCountsAsync(IndexImportSql.RemoveVersions(wholeIndex), [], cancellationToken);
        var updated = await ReadCountsAsync(IndexImportSql.UpdateVersions, JobParameters(jobs), cancellationToken);
        var (changed, yanked, unyanked, returnedQueued, yankCancelled, restored) = (updated[0], updated[1], updated[2], updated[3], updated[4], updated[5]);
        var inserted = await ReadCountsAsync(IndexImportSql.InsertVersionsAndJobs(jobs.Backfill), JobParameters(jobs), cancellationToken);
        var (versionsAdded, jobsQueued) = (inserted[0], inserted[1] + returnedQueued);
        return new IndexImportResult(cratesAdded, versionsAdded, removed[0], restored, changed - restored, yanked, unyanked, jobsQueued,
            yankCancelled + removed[1]);
    }

    /// <summary>Every version is new: only the crates' names and the jobs remain.</summary>
    private static async Task<IndexImportResult> WriteFirstAsync(FirstImportWriter writer, NewVersionJobs jobs, CancellationToken cancellationToken)
    {
        if (!jobs.Backfill)
        {
            throw new ArgumentException("The versions of a whole index are queued as a backlog.", nameof(jobs));
        }
        var cratesAdded = await writer.CompleteAsync(cancellationToken);
        var jobsQueued = await writer.QueueBacklogAsync(jobs, cancellationToken);
        return new IndexImportResult(cratesAdded, writer.VersionsAdded, 0, 0, 0, 0, 0, jobsQueued, 0);
    }

    private static NpgsqlParameter[] JobParameters(NewVersionJobs jobs) =>
    [
        new NpgsqlParameter<int>("priority", jobs.Priority), new NpgsqlParameter<int>("older_priority", jobs.OlderPriority),
        new NpgsqlParameter<bool>("backfill", jobs.Backfill), new NpgsqlParameter<bool>("queue_older", jobs.QueueOlder),
        new NpgsqlParameter<int>("family_burst", jobs.FamilyBurst), new("trace_parent", (object?)jobs.TraceParent ?? DBNull.Value),
    ];

    public async ValueTask DisposeAsync()
    {
        if (rows is not null && !staged)
        {
            await rows.DisposeAsync();
        }
        if (firstImport is not null)
        {
            await firstImport.DisposeAsync();
        }
        await transaction.DisposeAsync();
    }

    private static void WriteNullable<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(value, type);
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
