using BuildsRs.Data.Jobs;
using Npgsql;
using NpgsqlTypes;

namespace BuildsRs.Data.Bulk;

/// <summary>
/// Writes a whole index into a database that has no crates yet, while the index is still being read: with nothing to
/// compare or delete, the rows need no staging, and one COPY lets Postgres insert them as git and the parser produce
/// them. The crates go first, named after their index files (a version's crate must exist when its COPY ends); once
/// every row is in, a crate takes the least of its lines' spellings, as a staged import names it, and a crate left
/// without versions (all its lines malformed, or the second file of one crate) goes. The versions' ids are given here,
/// so that their jobs are ranked as they pass (<see cref="BacklogJobs"/>). The versions' and the jobs' indexes that
/// keep nothing unique are built once their rows are in (<see cref="DeferredIndexes"/>).
/// </summary>
internal sealed class FirstImportWriter
{
    private readonly NpgsqlConnection connection;
    private readonly NpgsqlTransaction transaction;
    private readonly Dictionary<string, (long Id, string Name)> crates;
    private readonly NpgsqlBinaryImporter versions;
    private readonly DeferredIndexes versionIndexes;
    private readonly List<IndexVersionRow> crateRows = [];
    private readonly List<(string Normalized, string Spelling)> respellings = [];
    private readonly BacklogJobs backlog = new();
    private long nextVersionId;
    private string? crate;

    private FirstImportWriter(NpgsqlConnection connection, NpgsqlTransaction transaction, Dictionary<string, (long, string)> crates,
        long firstVersionId, NpgsqlBinaryImporter versions, DeferredIndexes versionIndexes)
    {
        this.connection = connection;
        this.transaction = transaction;
        this.crates = crates;
        nextVersionId = firstVersionId;
        this.versions = versions;
        this.versionIndexes = versionIndexes;
    }

    public int VersionsAdded { get; private set; }

    /// <param name="crateNames">The crate of every file of the index, as its path names it.</param>
    public static async Task<FirstImportWriter> BeginAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IEnumerable<string> crateNames, CancellationToken cancellationToken)
    {
        await using (var copy = await connection.BeginBinaryImportAsync(IndexImportSql.CopyCrates, cancellationToken))
        {
            copy.Timeout = TimeSpan.Zero;
            foreach (var name in crateNames.DistinctBy(Contracts.CrateName.Normalize))
            {
                await copy.WriteRowAsync(cancellationToken, name);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        var crates = new Dictionary<string, (long, string)>(StringComparer.Ordinal);
        await using (var read = new NpgsqlCommand(IndexImportSql.ReadCrates, connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                crates[reader.GetString(1)] = (reader.GetInt64(0), reader.GetString(2));
            }
        }
        long firstVersionId;
        await using (var next = new NpgsqlCommand(IndexImportSql.NextVersionId, connection, transaction))
        {
            firstVersionId = (long)(await next.ExecuteScalarAsync(cancellationToken))!;
        }
        await using (var @lock = new NpgsqlCommand(IndexImportSql.LockJobsAndVersions, connection, transaction) { CommandTimeout = 0 })
        {
            await @lock.ExecuteNonQueryAsync(cancellationToken);
        }
        var versionIndexes = await DeferredIndexes.DropAsync(connection, transaction, "versions", "crates", cancellationToken);
        var versions = await connection.BeginBinaryImportAsync(IndexImportSql.CopyNewVersions, cancellationToken);
        versions.Timeout = TimeSpan.Zero;
        return new FirstImportWriter(connection, transaction, crates, firstVersionId, versions, versionIndexes);
    }

    /// <summary>Adds a row; a crate's rows come one after another, as the stager reads its file.</summary>
    /// <remarks>Synchronous, as the staging COPY is (see <see cref="IndexImport.Add"/>).</remarks>
    public void Add(IndexVersionRow row, string normalizedName)
    {
        if (crate != normalizedName)
        {
            WriteCrateRows();
            crate = normalizedName;
        }
        crateRows.Add(row);
    }

    /// <summary>Ends the COPY, names the crates and removes those without versions; returns how many crates stay.</summary>
    public async Task<int> CompleteAsync(CancellationToken cancellationToken)
    {
        WriteCrateRows();
        await versions.CompleteAsync(cancellationToken);
        await versions.DisposeAsync();
        await versionIndexes.RestoreAsync(cancellationToken);
        if (VersionsAdded > 0)
        {
            await using var last = new NpgsqlCommand(IndexImportSql.SetLastVersionId, connection, transaction)
            {
                Parameters = { new NpgsqlParameter<long>("last", nextVersionId - 1) },
            };
            await last.ExecuteScalarAsync(cancellationToken);
        }
        await using (var rename = new NpgsqlCommand(IndexImportSql.RenameCrates, connection, transaction)
        {
            CommandTimeout = 0,
            Parameters =
            {
                new NpgsqlParameter<string[]>("normalized", [.. respellings.Select(r => r.Normalized)]),
                new NpgsqlParameter<string[]>("names", [.. respellings.Select(r => r.Spelling)]),
            },
        })
        {
            await rename.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var delete = new NpgsqlCommand(IndexImportSql.DeleteCratesWithoutVersions, connection, transaction) { CommandTimeout = 0 };
        return crates.Count - (int)(long)(await delete.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Queues the versions' metadata jobs as a backlog; returns how many.</summary>
    public Task<int> QueueBacklogAsync(NewVersionJobs jobs, CancellationToken cancellationToken) =>
        backlog.WriteAsync(connection, transaction, jobs, cancellationToken);

    public ValueTask DisposeAsync() => versions.DisposeAsync();

    private void WriteCrateRows()
    {
        if (crate is null || crateRows.Count == 0)
        {
            return;
        }
        var (id, name) = crates[crate];
        if (crateRows.Any(r => r.CrateName != name))
        {
            respellings.AddRange(crateRows.Select(r => r.CrateName).Distinct().Select(spelling => (crate, spelling)));
        }
        // Later lines first: within one import, the lower id is the newer of a crate's versions with equal publish times.
        crateRows.Reverse();
        backlog.AddCrate(nextVersionId, crateRows);
        foreach (var row in crateRows)
        {
            versions.StartRow();
            versions.Write(nextVersionId++, NpgsqlDbType.Bigint);
            versions.Write(id, NpgsqlDbType.Bigint);
            IndexImport.WriteVersionFields(versions, row, NpgsqlDbType.Jsonb);
        }
        VersionsAdded += crateRows.Count;
        crateRows.Clear();
    }
}
