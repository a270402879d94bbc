using System.Diagnostics;
using System.Globalization;
using BuildsRs.Data.Jobs;
using BuildsRs.Data.Jobs.Results;
using Npgsql;

namespace BuildsRs.Benchmarks.Queue;

/// <summary>
/// What the database alone can do: pgbench with as many clients as there were builders, each claiming a batch of jobs
/// and ending them together with the lifecycle's own statements (<see cref="JobLifecycle.ClaimStatement"/>,
/// <see cref="MetadataResults.EndAndFanOut"/>), on a queue seeded the same way. No Api, no WebSocket.
/// </summary>
internal static class ClaimFloor
{
    public static async Task<(double ClaimsPerSecond, double P50Ms, double P99Ms)> RunAsync(
        NpgsqlDataSource data, string pgbench, string connection, string work, int jobs, int clients, int batch)
    {
        await JobQueueBenchmark.ReseedAsync(data, jobs);
        long firstBuilder;
        await using (var builders = data.CreateCommand("SELECT min(id) FROM builders"))
        {
            // The benchmark's builders enrolled one after another: their ids follow each other.
            firstBuilder = (long)(await builders.ExecuteScalarAsync())!;
        }
        var script = Path.Combine(work, "claim.sql");
        await File.WriteAllTextAsync(script, Script(batch));

        var settings = new NpgsqlConnectionStringBuilder(connection);
        var start = new ProcessStartInfo(pgbench,
        [
            "-n", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-t", (jobs / clients / batch).ToString(CultureInfo.InvariantCulture),
            "-f", script, "-D", $"first={firstBuilder}", "-l", "--log-prefix", Path.Combine(work, "floor"),
            "-h", settings.Host!, "-p", settings.Port.ToString(CultureInfo.InvariantCulture), "-U", settings.Username!, settings.Database!,
        ])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, Environment = { ["PGPASSWORD"] = settings.Password },
        };
        using var run = Process.Start(start)!;
        var output = await run.StandardOutput.ReadToEndAsync();
        var errors = await run.StandardError.ReadToEndAsync();
        await run.WaitForExitAsync();
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"pgbench failed: {errors}{output}");
        }
        var tps = batch * double.Parse(output.Split('\n').First(l => l.StartsWith("tps = ", StringComparison.Ordinal))["tps = ".Length..].Split(' ')[0], CultureInfo.InvariantCulture);
        // Each log line: client, transaction, latency in microseconds, ...
        var latencies = Directory.EnumerateFiles(work, "floor.*").SelectMany(File.ReadLines)
            .Select(line => double.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture) / 1000).Order().ToArray();
        return (tps, latencies[latencies.Length / 2], latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))]);
    }

    /// <summary>The lifecycle's statements with pgbench's variables for their parameters: each client is a builder of the
    /// fleet claiming <paramref name="batch"/> metadata jobs of the x86_64 target, then ending them as libraries in
    /// one statement. pgbench keeps one row of a query, so the claim's rows are folded into the results' JSON.</summary>
    private static string Script(int batch)
    {
        var claim = JobLifecycle.ClaimStatement.Replace("@builder", ":builder", StringComparison.Ordinal).Replace("@lease", "interval '60 seconds'", StringComparison.Ordinal)
            .Replace("@token_hashes", "NULL", StringComparison.Ordinal).Replace("@count", batch.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@capacity", batch.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@targets", "'{x86_64-unknown-linux-gnu}'::text[]", StringComparison.Ordinal).Replace("@kinds", "'{metadata}'::text[]", StringComparison.Ordinal);
        var rows = claim.LastIndexOf("SELECT c.id", StringComparison.Ordinal);
        claim = $"{claim[..rows]}SELECT coalesce(jsonb_agg(jsonb_build_object('job', id, 'exit_code', 0, 'binaries', '[]'::jsonb)), '[]') AS results FROM ({claim[rows..]}) claimed_rows";
        var end = MetadataResults.EndAndFanOut.Replace("@results", "':claimed_results'", StringComparison.Ordinal)
            .Replace("@builder", ":builder", StringComparison.Ordinal);
        return $"""
            \set builder :first + :client_id
            {OneLine(claim)} \gset claimed_
            {OneLine(end)};

            """;
    }

    /// <summary>pgbench reads one statement per line (or up to its semicolon): the statements are folded into one line.</summary>
    private static string OneLine(string sql) => string.Join(' ', sql.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
