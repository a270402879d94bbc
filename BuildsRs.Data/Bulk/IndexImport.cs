using BuildsRs.Data.Jobs;
using Npgsql;
using NpgsqlTypes;

namespace BuildsRs.Data.Bulk;

/// <summary>
/// Brings the crates and versions of the database in step with what the registry index states, in one transaction, and
/// moves the sync cursor with the data it describes. Applying the same rows again changes nothing. How the rows go in is
/// chosen once, when the import begins: into a database without crates (a registry's first import) they are written
/// straight into the tables while they are read (<see cref="FirstImport"/>); otherwise they are staged and applied
/// with set-based statements (<see cref="StagedImport"/>). Either way, new versions' metadata jobs are ranked by one
/// statement (<see cref="JobLifecycleSql.QueueMetadataForNew"/>).
/// </summary>
public abstract class IndexImport : IAsyncDisposable
{
    private protected IndexImport(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        Connection = connection;
        Transaction = transaction;
    }

    private protected NpgsqlConnection Connection { get; }
    private protected NpgsqlTransaction Transaction { get; }

    /// <summary>Opens the transaction on <paramref name="connection"/> (which must be open) and chooses how the rows go in.
    /// <paramref name="wholeIndexCrates"/>: for an import of a whole index, the crate of every file, as its path names it;
    /// into a database without crates, the rows are then written straight into the tables.</summary>
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
                return await FirstImport.BeginAsync(connection, transaction, wholeIndexCrates, cancellationToken);
            }
        }
        return await StagedImport.BeginAsync(connection, transaction, cancellationToken);
    }

    /// <summary>Adds one version row. Its crate joins the scope.</summary>
    public abstract void Add(IndexVersionRow row);

    /// <summary>
    /// Puts a crate in scope although no version of it was staged: the index no longer lists it, so its versions are
    /// removed. Used by partial imports, whose scope is the crates they name.
    /// </summary>
    public virtual void AddToScope(string crateName)
    {
    }

    /// <summary>
    /// Keeps a crate's versions from being removed in this import: some of its index lines could not be read, so the
    /// versions they describe are unknown rather than gone.
    /// </summary>
    public virtual void ProtectFromDeletion(string crateName)
    {
    }

    /// <summary>
    /// Applies the rows. <paramref name="wholeIndex"/>: the rows are the entire index, so every crate is in scope (a
    /// full import or reconcile); otherwise only the added and named crates are. New versions' jobs are queued as
    /// <paramref name="jobs"/> says. <paramref name="cursor"/>, when given, is recorded as the index commit now applied
    /// for <paramref name="registry"/>. With a <paramref name="removalLimit"/>, an import that would remove more than it
    /// allows changes nothing and throws <see cref="RemovalsHeldException"/>.
    /// </summary>
    public async Task<IndexImportResult> CommitAsync(bool wholeIndex, NewVersionJobs jobs, string registry, string? cursor, CancellationToken cancellationToken,
        RemovalLimit? removalLimit = null)
    {
        var result = await ApplyAsync(wholeIndex, jobs, removalLimit, cancellationToken);
        if (wholeIndex)
        {
            await ExecuteAsync(IndexImportSql.AnalyzeImported, cancellationToken);
        }
        if (cursor is not null)
        {
            await using var save = new NpgsqlCommand(IndexImportSql.SaveCursor, Connection, Transaction)
            {
                Parameters = { new("registry", registry), new("cursor", cursor) },
            };
            await save.ExecuteNonQueryAsync(cancellationToken);
        }
        await Transaction.CommitAsync(cancellationToken);
        return result;
    }

    private protected abstract Task<IndexImportResult> ApplyAsync(bool wholeIndex, NewVersionJobs jobs, RemovalLimit? removalLimit,
        CancellationToken cancellationToken);

    public virtual async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>The columns a version row has in staging and in <c>versions</c>, from <c>version</c> on;
    /// <paramref name="features"/>: text to stage, jsonb to store.</summary>
    private protected static void WriteVersionFields(NpgsqlBinaryImporter importer, IndexVersionRow row, NpgsqlDbType features)
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

    private protected static NpgsqlParameter[] JobParameters(NewVersionJobs jobs) =>
    [
        new NpgsqlParameter<int>("priority", jobs.Priority), new NpgsqlParameter<int>("older_priority", jobs.OlderPriority),
        new NpgsqlParameter<bool>("backfill", jobs.Backfill), new NpgsqlParameter<bool>("queue_older", jobs.QueueOlder),
        new NpgsqlParameter<int>("family_burst", jobs.FamilyBurst), new("trace_parent", (object?)jobs.TraceParent ?? DBNull.Value),
    ];

    private protected async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, Connection, Transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The counts in the one row <paramref name="sql"/> answers.</summary>
    private protected async Task<int[]> ReadCountsAsync(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, Connection, Transaction) { CommandTimeout = 0 };
        command.Parameters.AddRange(parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return [.. Enumerable.Range(0, reader.FieldCount).Select(i => (int)reader.GetInt64(i))];
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
}
