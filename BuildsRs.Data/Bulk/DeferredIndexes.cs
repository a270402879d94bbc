using Npgsql;

namespace BuildsRs.Data.Bulk;

/// <summary>
/// An empty table's secondary indexes and its foreign key to the table filled just before it, taken off for a bulk load
/// and built again afterwards from their own definitions, as pg_restore loads a dump: one sort per index and one join
/// per key instead of an index insert per index and a key lookup per row. Unique indexes stay, so that a duplicate
/// still fails the statement that writes it (and a partial one's predicate would not read back as it was written).
/// It all happens in the caller's transaction, so a load that fails leaves the table as it was; until the
/// transaction ends the table is locked against readers too, which only a registry's first import can afford.
/// </summary>
internal sealed class DeferredIndexes
{
    private readonly NpgsqlConnection connection;
    private readonly NpgsqlTransaction transaction;
    private readonly List<string> definitions;

    private DeferredIndexes(NpgsqlConnection connection, NpgsqlTransaction transaction, List<string> definitions)
    {
        this.connection = connection;
        this.transaction = transaction;
        this.definitions = definitions;
    }

    /// <summary>Drops the secondary indexes of <paramref name="table"/> and its foreign keys to
    /// <paramref name="referenced"/>, remembering how to build them again.</summary>
    public static async Task<DeferredIndexes> DropAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string table, string referenced, CancellationToken cancellationToken)
    {
        var drops = new List<string>();
        var definitions = new List<string>();
        await using (var read = new NpgsqlCommand(IndexImportSql.DeferrableIndexes, connection, transaction)
        {
            Parameters = { new NpgsqlParameter<string>("table", table), new NpgsqlParameter<string>("referenced", referenced) },
        })
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                drops.Add(reader.GetString(0));
                definitions.Add(reader.GetString(1));
            }
        }
        await ExecuteAsync(connection, transaction, drops, cancellationToken);
        return new DeferredIndexes(connection, transaction, definitions);
    }

    /// <summary>Builds the indexes, then the keys (which check every row at once).</summary>
    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, [IndexImportSql.IndexBuildMemory, .. definitions], cancellationToken);
        definitions.Clear();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<string> statements,
        CancellationToken cancellationToken)
    {
        foreach (var statement in statements)
        {
            await using var command = new NpgsqlCommand(statement, connection, transaction) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
