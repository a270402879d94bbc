using System.Diagnostics;
using Npgsql;

namespace BuildsRs.Benchmarks.Queue;

/// <summary>
/// Simulated builders over real WebSockets drain a queue of metadata jobs from a running Api, each claiming a batch
/// at a time and sending the batch's results together: claims per second as fast as they can go, with the proof that
/// no job was handed out twice (client side and in the database); then claim latency percentiles at a set rate, since
/// at full speed a claim's latency is only the queue of requests waiting for the database.
/// </summary>
internal static class JobQueueBenchmark
{
    public static async Task<int> RunAsync(Uri api, string database, string enrollmentToken, int jobs, int builders, int batch, int rate,
        string pgbench, string work)
    {
        await using var data = NpgsqlDataSource.Create(database);
        var seeding = Stopwatch.StartNew();
        await SeedAsync(data, jobs);
        Console.WriteLine($"queued {jobs:N0} jobs in {seeding.Elapsed.TotalSeconds:F1} s; {builders} builders, each asking for {batch} jobs at a time");

        using var http = new HttpClient();
        var fast = await DrainAsync(api, enrollmentToken, http, "fast", builders, batch, null);
        var (handedOutTwice, unfinished) = await CheckDatabaseAsync(data);
        var claimsPerSecond = fast.Claimed.Count / fast.Elapsed.TotalSeconds;
        var distinct = fast.Claimed.Distinct().Count();
        Console.WriteLine($"as fast as they can: {fast.Claimed.Count:N0} claims in {fast.Elapsed.TotalSeconds:F1} s = {claimsPerSecond:N0} claims/s; " +
            $"claim latency (request to job, client side) {Latencies(fast.Latencies)}");
        Console.WriteLine($"double assignments: {fast.Claimed.Count - distinct} seen by builders, {handedOutTwice} in the database; " +
            $"jobs not finished: {unfinished}");
        var ok = fast.Claimed.Count == jobs && distinct == jobs && handedOutTwice == 0 && unfinished == 0;

        await ReseedAsync(data, jobs);
        var paced = await DrainAsync(api, enrollmentToken, http, "paced", builders, batch, TimeSpan.FromSeconds((double)batch * builders / rate));
        Console.WriteLine($"at {rate:N0} claims/s offered (each builder asks on a fixed schedule): {paced.Claimed.Count:N0} claims in " +
            $"{paced.Elapsed.TotalSeconds:F1} s = {paced.Claimed.Count / paced.Elapsed.TotalSeconds:N0} claims/s; claim latency from when the request " +
            $"was due {Latencies(paced.Latencies)}");

        var floor = await ClaimFloor.RunAsync(data, pgbench, database, work, jobs, builders, batch);
        Console.WriteLine($"floor (pgbench, {builders} clients, the same claim and result statements for {batch} jobs at a time, no Api): {floor.ClaimsPerSecond:N0} claims/s, " +
            $"p50 {floor.P50Ms:F2} ms, p99 {floor.P99Ms:F2} ms; the Api as fast as it can reaches {claimsPerSecond / floor.ClaimsPerSecond:P0} of it");
        return ok && paced.Claimed.Count == jobs ? 0 : 1;
    }

    /// <summary>A fleet of simulated builders drains the queue, each asking every <paramref name="pace"/> (as fast as
    /// it can when null).</summary>
    private static async Task<(List<long> Claimed, double[] Latencies, TimeSpan Elapsed)> DrainAsync(
        Uri api, string enrollmentToken, HttpClient http, string name, int builders, int batch, TimeSpan? pace)
    {
        var fleet = Enumerable.Range(0, builders).Select(i => new SimulatedBuilder($"{name}-{i}", api, enrollmentToken)).ToList();
        try
        {
            await Task.WhenAll(fleet.Select(b => b.ConnectAsync(http, CancellationToken.None)));
            var draining = Stopwatch.StartNew();
            await Task.WhenAll(fleet.Select(b => Task.Run(() => b.DrainAsync(batch, pace, CancellationToken.None))));
            draining.Stop();
            return ([.. fleet.SelectMany(b => b.Claimed)], [.. fleet.SelectMany(b => b.ClaimLatencies).Order()], draining.Elapsed);
        }
        finally
        {
            fleet.ForEach(b => b.Dispose());
        }
    }

    private static string Latencies(double[] sorted) =>
        $"p50 {Percentile(sorted, 0.50):F2} ms, p90 {Percentile(sorted, 0.90):F2} ms, p99 {Percentile(sorted, 0.99):F2} ms, max {sorted[^1] / 1000:F2} ms";

    /// <summary>The same queue again, for the next run.</summary>
    public static async Task ReseedAsync(NpgsqlDataSource data, int jobs)
    {
        await using (var reset = data.CreateCommand("DELETE FROM jobs"))
        {
            await reset.ExecuteNonQueryAsync();
        }
        await SeedJobsAsync(data, jobs);
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
