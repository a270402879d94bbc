using System.Diagnostics;
using System.Globalization;
using BuildsRs.Benchmarks.Registry;
using BuildsRs.Data.Bulk;
using Npgsql;

namespace BuildsRs.Benchmarks.PublicApi;

/// <summary>
/// Fills a migrated database the way the Api would see crates.io: the synthetic crates.io-sized index (the registry
/// benchmark's generator) and, for a few thousand crates, a built newest version with its artifact. Writes the
/// request paths the load generator picks from and the table the database floor's scripts draw from.
/// </summary>
internal static class ApiBenchmarkData
{
    public const string Target = "x86_64-unknown-linux-gnu";

    public static async Task<int> RunAsync(string database, string work, int crates, int versions, int built)
    {
        var started = Stopwatch.GetTimestamp();
        var names = new List<string>(crates);
        var rows = new List<IndexVersionRow>(versions);
        foreach (var crate in new SyntheticIndex(crates, versions).Crates())
        {
            names.Add(crate.Name);
            rows.AddRange(crate.Rows());
        }
        var copy = await RawCopyFloor.RunAsync(database, names, rows);
        Console.WriteLine($"loaded {names.Count:N0} crates and {rows.Count:N0} versions in {Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s (COPY {copy.TotalSeconds:N0} s)");

        await using var data = NpgsqlDataSource.Create(database);
        await using (var build = data.CreateCommand(BuildSql))
        {
            build.CommandTimeout = 600;
            build.Parameters.Add(new NpgsqlParameter<int>("every", Math.Max(1, crates / built)));
            build.Parameters.Add(new NpgsqlParameter<int>("built", built));
            build.Parameters.Add(new NpgsqlParameter<string>("target", Target));
            await build.ExecuteNonQueryAsync();
        }
        // A settled database, as in service: statistics current, autovacuum with nothing left to do, pages written.
        foreach (var statement in new[] { "VACUUM (ANALYZE)", "CHECKPOINT" })
        {
            await using var settle = data.CreateCommand(statement);
            settle.CommandTimeout = 900;
            await settle.ExecuteNonQueryAsync();
        }

        var builtCrates = new List<(string Name, string Version)>();
        await using (var read = data.CreateCommand("SELECT name, version FROM bench_built ORDER BY n"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                builtCrates.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        var random = new Random(7);
        string[] Paths(Func<int, string> path) => [.. Enumerable.Range(0, 5000).Select(path)];
        await File.WriteAllLinesAsync(Path.Combine(work, "search.paths"), Paths(_ =>
        {
            var name = names[random.Next(names.Count)];
            return $"/api/v1/crates?q={name[..Math.Min(name.Length, random.Next(2, 6))]}";
        }));
        await File.WriteAllLinesAsync(Path.Combine(work, "crate.paths"), Paths(_ => $"/api/v1/crates/{names[random.Next(names.Count)]}"));
        await File.WriteAllLinesAsync(Path.Combine(work, "version.paths"), Paths(_ =>
        {
            var (name, version) = builtCrates[random.Next(builtCrates.Count)];
            return $"/api/v1/crates/{name}/{version}";
        }));
        await File.WriteAllLinesAsync(Path.Combine(work, "latest.paths"), Paths(_ => $"/builds/{builtCrates[random.Next(builtCrates.Count)].Name}/latest/{Target}"));
        await File.WriteAllLinesAsync(Path.Combine(work, "missing.paths"), Paths(_ => $"/builds/{names[random.Next(names.Count)]}/latest/{Target}"));
        await File.WriteAllTextAsync(Path.Combine(work, "built.count"), builtCrates.Count.ToString(CultureInfo.InvariantCulture));
        Console.WriteLine($"{builtCrates.Count:N0} crates with a built newest version; ready in {Stopwatch.GetElapsedTime(started).TotalSeconds:N0} s");
        return 0;
    }

    /// <summary>
    /// Every @every-th crate's newest version gets a finished metadata job, a successful binary job and an artifact;
    /// bench_built lists them (numbered from 1) for the floor's scripts.
    /// </summary>
    private const string BuildSql = """
        CREATE TABLE bench_built (n serial PRIMARY KEY, crate_id bigint, version_id bigint, name text, version text);
        INSERT INTO bench_built (crate_id, version_id, name, version)
        SELECT DISTINCT ON (v.crate_id) v.crate_id, v.id, c.name, v.version
        FROM versions v JOIN crates c ON c.id = v.crate_id
        WHERE v.crate_id % @every = 0 AND NOT v.yanked
        ORDER BY v.crate_id, v.id DESC
        LIMIT @built;
        UPDATE jobs SET state = 'succeeded', outcome = 'succeeded', claims = 1, started_at = now() - interval '2 minutes', finished_at = now() - interval '1 minute'
        WHERE kind = 'metadata' AND version_id IN (SELECT version_id FROM bench_built);
        UPDATE versions SET binary_targets = ARRAY[b.name] FROM bench_built b WHERE versions.id = b.version_id;
        WITH built AS (
            INSERT INTO jobs (version_id, kind, target, state, outcome, priority, attempt, claims, started_at, finished_at)
            SELECT version_id, 'binary', @target, 'succeeded', 'succeeded', 0, 0, 1, now() - interval '1 minute', now()
            FROM bench_built
            RETURNING id, version_id)
        INSERT INTO artifacts (job_id, file_name, storage_key, size, sha256)
        SELECT built.id, b.name || '-' || b.version || '-' || @target || '.tar.gz',
               'crates/' || lower(b.name) || '/' || b.version || '/' || @target || '/0/' || b.name || '-' || b.version || '-' || @target || '.tar.gz',
               1000000, repeat('a', 64)
        FROM built JOIN bench_built b ON b.version_id = built.version_id;
        """;
}
