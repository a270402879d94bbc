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
/// so that a crate's later lines get the lower ids, as a staged import gives them. The versions' and the jobs' indexes
/// that keep nothing unique are built once their rows are in (<see cref="DeferredIndexes"/>); until it commits, a first
/// import keeps both tables locked against readers too, which only tables with nothing to read yet can afford.
/// </summary>
internal sealed class FirstImport : IndexImport
{
    private readonly Dictionary<string, (long Id, string Name)> crates;
    private readonly NpgsqlBinaryImporter versions;
    private readonly DeferredIndexes versionIndexes;
    private readonly List<IndexVersionRow> crateRows = [];
    private readonly List<(string Normalized, string Spelling)> respellings = [];
    private long nextVersionId;
    private string? crate;

    private FirstImport(NpgsqlConnection connection, NpgsqlTransaction transaction, Dictionary<string, (long, string)> crates,
        long firstVersionId, NpgsqlBinaryImporter versions, DeferredIndexes versionIndexes) : base(connection, transaction)
    {
        this.crates = crates;
        nextVersionId = firstVersionId;
        this.versions = versions;
        this.versionIndexes = versionIndexes;
    }

    private int versionsAdded;

    /// <param name="crateNames">The crate of every file of the index, as its path names it.</param>
    public static async Task<FirstImport> BeginAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
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
        return new FirstImport(connection, transaction, crates, firstVersionId, versions, versionIndexes);
    }

    /// <summary>Adds a row; a crate's rows come one after another, as the index is read file by file.</summary>
    /// <remarks>Synchronous, as the staging COPY is (see <see cref="StagedImport.Add"/>).</remarks>
    public override void Add(IndexVersionRow row)
    {
        var normalizedName = Contracts.CrateName.Normalize(row.CrateName);
        if (crate != normalizedName)
        {
            WriteCrateRows();
            crate = normalizedName;
        }
        crateRows.Add(row);
    }

    /// <summary>Every version is new: the COPY ends, the crates are named and those without versions go, and the
    /// versions' metadata jobs are queued as a backlog.</summary>
    private protected override async Task<IndexImportResult> ApplyAsync(bool wholeIndex, NewVersionJobs jobs, RemovalLimit? removalLimit,
        CancellationToken cancellationToken)
    {
        if (!jobs.Backfill)
        {
            throw new ArgumentException("The versions of a whole index are queued as a backlog.", nameof(jobs));
        }
        WriteCrateRows();
        await versions.CompleteAsync(cancellationToken);
        await versions.DisposeAsync();
        await versionIndexes.RestoreAsync(cancellationToken);
        if (versionsAdded > 0)
        {
            await using var last = new NpgsqlCommand(IndexImportSql.SetLastVersionId, Connection, Transaction)
            {
                Parameters = { new NpgsqlParameter<long>("last", nextVersionId - 1) },
            };
            await last.ExecuteScalarAsync(cancellationToken);
        }
        await using (var rename = new NpgsqlCommand(IndexImportSql.RenameCrates, Connection, Transaction)
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
        var cratesAdded = crates.Count - (await ReadCountsAsync(IndexImportSql.DeleteCratesWithoutVersions, [], cancellationToken))[0];
        // Every job belongs to a version, and there were none before this import: the jobs table is empty too.
        var jobIndexes = await DeferredIndexes.DropAsync(Connection, Transaction, "jobs", "versions", cancellationToken);
        var jobsQueued = (await ReadCountsAsync(IndexImportSql.QueueBacklogOfFirstImport, JobParameters(jobs), cancellationToken))[0];
        await jobIndexes.RestoreAsync(cancellationToken);
        return new IndexImportResult(cratesAdded, versionsAdded, 0, 0, 0, 0, 0, jobsQueued, 0);
    }

    public override async ValueTask DisposeAsync()
    {
        await versions.DisposeAsync();
        await base.DisposeAsync();
    }

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
        foreach (var row in crateRows)
        {
            versions.StartRow();
            versions.Write(nextVersionId++, NpgsqlDbType.Bigint);
            versions.Write(id, NpgsqlDbType.Bigint);
            WriteVersionFields(versions, row, NpgsqlDbType.Jsonb);
        }
        versionsAdded += crateRows.Count;
        crateRows.Clear();
    }
}
