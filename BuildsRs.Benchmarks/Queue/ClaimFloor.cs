using System.Diagnostics;
using System.Globalization;
using BuildsRs.Data.Jobs;
using Npgsql;

namespace BuildsRs.Benchmarks.Queue;

/// <summary>
/// What the database alone can do: pgbench with as many clients as there were builders, each claiming a job and
/// ending it with the lifecycle's own statements (<see cref="JobLifecycleSql.Claim"/>,
/// <see cref="JobLifecycleSql.EndMetadataAndFanOut"/>), on a queue seeded the same way. No Api, no WebSocket.
/// </summary>
internal static class ClaimFloor
{
    public static async Task<(double ClaimsPerSecond, double P50Ms, double P99Ms)> RunAsync(
        NpgsqlDataSource data, string pgbench, string connection, string work, int jobs, int clients)
    {
        await using (var reset = data.CreateCommand("DELETE FROM jobs"))
        {
            await reset.ExecuteNonQueryAsync();
        }
        await JobQueueBenchmark.SeedJobsAsync(data, jobs);
        long firstBuilder, lastBuilder;
        await using (var builders = data.CreateCommand("SELECT min(id), max(id) FROM builders"))
        await using (var reader = await builders.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (firstBuilder, lastBuilder) = (reader.GetInt64(0), reader.GetInt64(1));
        }
        var script = Path.Combine(work, "claim.sql");
        await File.WriteAllTextAsync(script, Script());

        var settings = new NpgsqlConnectionStringBuilder(connection);
        var start = new ProcessStartInfo(pgbench,
        [
            "-n", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-t", (jobs / clients).ToString(CultureInfo.InvariantCulture),
            "-f", script, "-D", $"first={firstBuilder}", "-D", $"last={lastBuilder}", "-l", "--log-prefix", Path.Combine(work, "floor"),
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
        var tps = double.Parse(output.Split('\n').First(l => l.StartsWith("tps = ", StringComparison.Ordinal))["tps = ".Length..].Split(' ')[0], CultureInfo.InvariantCulture);
        // Each log line: client, transaction, latency in microseconds, ...
        var latencies = Directory.EnumerateFiles(work, "floor.*").SelectMany(File.ReadLines)
            .Select(line => double.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture) / 1000).Order().ToArray();
        return (tps, latencies[latencies.Length / 2], latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))]);
    }

    /// <summary>The lifecycle's statements with pgbench's variables for their parameters: a builder of the fleet, a
    /// metadata job of the x86_64 target, and a library's result.</summary>
    private static string Script() => $"""
        \set builder random(:first, :last)
        {OneLine(JobLifecycleSql.Claim.Replace("@builder", ":builder", StringComparison.Ordinal).Replace("@lease", "interval '60 seconds'", StringComparison.Ordinal)
            .Replace("@token_hash", "NULL", StringComparison.Ordinal).Replace("@targets", "'{x86_64-unknown-linux-gnu}'::text[]", StringComparison.Ordinal)
            .Replace("@kinds", "'{metadata}'::text[]", StringComparison.Ordinal))} \gset claimed_
        {OneLine(JobLifecycleSql.EndMetadataAndFanOut.Replace("@job", ":claimed_id", StringComparison.Ordinal).Replace("@builder", ":builder", StringComparison.Ordinal)
            .Replace("@exit_code", "0", StringComparison.Ordinal).Replace("@binaries", "'{}'::text[]", StringComparison.Ordinal)
            .Replace("@settings", "NULL", StringComparison.Ordinal).Replace("@author_targets", "NULL", StringComparison.Ordinal))};

        """;

    /// <summary>pgbench reads one statement per line (or up to its semicolon): the statements are folded into one line.</summary>
    private static string OneLine(string sql) => string.Join(' ', sql.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
