using System.Diagnostics;
using Npgsql;

namespace BuildsRs.Benchmarks.Queue;

/// <summary>
/// Simulated builders over real WebSockets drain a queue of metadata jobs from a running Api: claims per second,
/// claim latency percentiles, and the proof that no job was handed out twice (client side and in the database).
/// </summary>
internal static class JobQueueBenchmark
{
    public static async Task<int> RunAsync(Uri api, string database, string enrollmentToken, int jobs, int builders, string pgbench, string work)
    {
        await using var data = NpgsqlDataSource.Create(database);
        var seeding = Stopwatch.StartNew();
        await SeedAsync(data, jobs);
        Console.WriteLine($"queued {jobs:N0} jobs in {seeding.Elapsed.TotalSeconds:F1} s");

        using var http = new HttpClient();
        var fleet = Enumerable.Range(0, builders).Select(i => new SimulatedBuilder($"bench-{i}", api, enrollmentToken)).ToList();
        try
        {
            await Task.WhenAll(fleet.Select(b => b.ConnectAsync(http, CancellationToken.None)));
            Console.WriteLine($"{builders} builders connected");

            var draining = Stopwatch.StartNew();
            await Task.WhenAll(fleet.Select(b => Task.Run(() => b.DrainAsync(CancellationToken.None))));
            draining.Stop();

            var claimed = fleet.SelectMany(b => b.Claimed).ToList();
            var latencies = fleet.SelectMany(b => b.ClaimLatencies).Order().ToArray();
            var distinct = claimed.Distinct().Count();
            var (handedOutTwice, unfinished) = await CheckDatabaseAsync(data);

            Console.WriteLine($"claims: {claimed.Count:N0} in {draining.Elapsed.TotalSeconds:F1} s = {claimed.Count / draining.Elapsed.TotalSeconds:N0} claims/s");
            Console.WriteLine($"claim latency (request to job, client side): p50 {Percentile(latencies, 0.50):F2} ms, " +
                $"p90 {Percentile(latencies, 0.90):F2} ms, p99 {Percentile(latencies, 0.99):F2} ms, max {latencies[^1] / 1000:F2} ms");
            Console.WriteLine($"double assignments: {claimed.Count - distinct} seen by builders, {handedOutTwice} in the database; " +
                $"jobs not finished: {unfinished}");
            var floor = await ClaimFloor.RunAsync(data, pgbench, database, work, jobs, builders);
            Console.WriteLine($"floor (pgbench, {builders} clients, the same claim and result statements, no Api): {floor.ClaimsPerSecond:N0} claims/s, " +
                $"p50 {floor.P50Ms:F2} ms, p99 {floor.P99Ms:F2} ms; the Api reaches {claimed.Count / draining.Elapsed.TotalSeconds / floor.ClaimsPerSecond:P0} of it");
            return claimed.Count == jobs && distinct == jobs && handedOutTwice == 0 && unfinished == 0 ? 0 : 1;
        }
        finally
        {
            fleet.ForEach(b => b.Dispose());
        }
    }

    private static async Task SeedAsync(NpgsqlDataSource data, int jobs)
    {
        await using (var crate = data.CreateCommand("""
            WITH crate AS (INSERT INTO crates (name) VALUES ('queue-benchmark') RETURNING id)
            INSERT INTO versions (crate_id, version, checksum, yanked, features, dependency_count)
            SELECT crate.id, '0.0.' || n, repeat('0', 64), false, '{}', 0 FROM crate, generate_series(1, $1) AS n
            """))
        {
            crate.Parameters.Add(new NpgsqlParameter<int> { TypedValue = jobs });
            await crate.ExecuteNonQueryAsync();
        }
        await SeedJobsAsync(data, jobs);
    }

    /// <summary>One queued metadata job for each of the benchmark crate's versions.</summary>
    public static async Task SeedJobsAsync(NpgsqlDataSource data, int jobs)
    {
        await using var command = data.CreateCommand("""
            INSERT INTO jobs (version_id, kind, state, priority, attempt, claims)
            SELECT id, 'metadata', 'queued', 0, 0, 0 FROM versions ORDER BY id LIMIT $1
            """);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = jobs });
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<(long HandedOutTwice, long Unfinished)> CheckDatabaseAsync(NpgsqlDataSource data)
    {
        await using var command = data.CreateCommand(
            "SELECT count(*) FILTER (WHERE claims <> 1), count(*) FILTER (WHERE state <> 'succeeded') FROM jobs");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static double Percentile(double[] sortedMicroseconds, double p) =>
        sortedMicroseconds[Math.Min(sortedMicroseconds.Length - 1, (int)(p * sortedMicroseconds.Length))] / 1000;
}
