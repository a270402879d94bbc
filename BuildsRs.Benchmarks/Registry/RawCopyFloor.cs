using System.Diagnostics;
using BuildsRs.Data.Bulk;
using Npgsql;
using NpgsqlTypes;

namespace BuildsRs.Benchmarks.Registry;

/// <summary>
/// The floor: the same crates, versions and metadata jobs written with plain binary COPY straight into the same
/// tables (with their indexes and constraints), rows already in memory, no staging and no checks. Each run empties the
/// tables first.
/// </summary>
internal static class RawCopyFloor
{
    public static async Task<TimeSpan> RunAsync(string connectionString, IReadOnlyList<string> crates, IReadOnlyList<IndexVersionRow> versions)
    {
        // A slower or busier machine takes longer than a default command timeout to complete a COPY of 2 million rows.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString);
        await connection.OpenAsync();
        // Each run starts from empty tables, as the import does; the checkpoint keeps one run's writes out of the next.
        await using (var empty = new NpgsqlCommand("TRUNCATE crates, versions, jobs CASCADE; CHECKPOINT", connection) { CommandTimeout = 0 })
        {
            await empty.ExecuteNonQueryAsync();
        }
        var started = Stopwatch.GetTimestamp();
        await using var transaction = await connection.BeginTransactionAsync();

        await using (var copy = await connection.BeginBinaryImportAsync("COPY crates (name) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var name in crates)
            {
                await copy.WriteRowAsync(default, name);
            }
            await copy.CompleteAsync();
        }

        var crateIds = new Dictionary<string, long>(crates.Count, StringComparer.Ordinal);
        await using (var read = new NpgsqlCommand("SELECT id, name FROM crates", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                crateIds[reader.GetString(1)] = reader.GetInt64(0);
            }
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY versions (crate_id, version, checksum, yanked, rust_version, published_at, links, features, dependency_count) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in versions)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(crateIds[row.CrateName], NpgsqlDbType.Bigint);
                await copy.WriteAsync(row.Version, NpgsqlDbType.Text);
                await copy.WriteAsync(row.Checksum, NpgsqlDbType.Text);
                await copy.WriteAsync(row.Yanked, NpgsqlDbType.Boolean);
                await WriteAsync(copy, row.RustVersion, NpgsqlDbType.Text);
                await WriteAsync(copy, row.PublishedAt, NpgsqlDbType.TimestampTz);
                await WriteAsync(copy, row.Links, NpgsqlDbType.Text);
                await copy.WriteAsync(row.FeaturesJson, NpgsqlDbType.Jsonb);
                await copy.WriteAsync(row.DependencyCount, NpgsqlDbType.Integer);
            }
            await copy.CompleteAsync();
        }

        var jobVersions = new List<long>(versions.Count);
        await using (var read = new NpgsqlCommand("SELECT id FROM versions WHERE NOT yanked", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                jobVersions.Add(reader.GetInt64(0));
            }
        }
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY jobs (version_id, kind, state, priority, attempt, claims) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var id in jobVersions)
            {
                await copy.WriteRowAsync(default, id, "metadata", "queued", 0, 0, 0);
            }
            await copy.CompleteAsync();
        }
        await transaction.CommitAsync();
        return Stopwatch.GetElapsedTime(started);
    }

    private static Task WriteAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type) =>
        value is null ? copy.WriteNullAsync() : copy.WriteAsync(value, type);
}
