using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using BuildsRs.Benchmarks.Queue;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using Npgsql;

namespace BuildsRs.Benchmarks.Capacity;

/// <summary>
/// A day of crates.io (<see cref="DayOfPublications"/>) replayed at speed against the real Api and queue, for fleets of
/// several sizes: each publication arrives as a metadata job at its time; simulated builders classify at once (as
/// builders do, in memory) and hold each build for its measured time, scaled down with the day, then upload an
/// artifact and report it. Prints queue waits and the time to drain, in the day's own time.
/// </summary>
internal static class CapacitySimulation
{
    private static readonly JobKind[] Metadata = [JobKind.Metadata];
    private static readonly JobKind[] Builds = [JobKind.Binary];

    public static async Task<int> RunAsync(Uri api, string database, string enrollmentToken, DayOfPublications day, TimeSpan dayLength,
        IReadOnlyList<int> fleets, IReadOnlyList<string> targets)
    {
        var speed = 86400 / dayLength.TotalSeconds;
        Console.WriteLine($"one day of {day.Versions:N0} publications ({day.BinaryShare:P0} with binaries, {targets.Count} targets each) in {dayLength.TotalSeconds:N0} s: {speed:N0}x");
        Console.WriteLine($"hourly shape (UTC): {string.Join(' ', DayOfPublications.Hourly.Select(h => h.ToString("P1", CultureInfo.InvariantCulture)))}");
        Console.WriteLine();
        Console.WriteLine("| builders | build wait p50 | build wait p99 | classification wait p99 | drained after the day |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        await using var data = NpgsqlDataSource.Create(database);
        using var http = new HttpClient { BaseAddress = api };
        foreach (var size in fleets)
        {
            await ResetAsync(data);
            var random = new Random(size);
            var arrivals = day.Arrivals(random);
            using var stop = new CancellationTokenSource();
            var fleet = new List<SimulatedBuilder>();
            for (var i = 0; i < size; i++)
            {
                // A builder classifies beside its build: a connection for each.
                fleet.Add(new SimulatedBuilder($"sim-{size}-{i}-metadata", api, enrollmentToken, targets));
                fleet.Add(new SimulatedBuilder($"sim-{size}-{i}-builds", api, enrollmentToken, targets));
            }
            await Task.WhenAll(fleet.Select(b => b.ConnectAsync(http, CancellationToken.None)));
            var started = Stopwatch.GetTimestamp();
            var workers = fleet.Select((builder, i) => Task.Run(() => i % 2 == 0
                ? ClassifyAsync(builder, arrivals, stop.Token)
                : BuildAsync(builder, http, day, random, speed, stop.Token))).ToList();
            await FeedAsync(data, arrivals, speed, started, size);
            var dayEnded = Stopwatch.GetElapsedTime(started);
            while (await QueueLengthAsync(data) > 0)
            {
                // A simulated builder that failed would leave its jobs queued for ever: its error ends the run.
                if (workers.FirstOrDefault(w => w.IsFaulted) is { } failed)
                {
                    await failed;
                }
                await Task.Delay(50);
            }
            var drained = (Stopwatch.GetElapsedTime(started) - dayEnded).TotalSeconds * speed;
            await stop.CancelAsync();
            await Task.WhenAll(workers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
            fleet.ForEach(b => b.Dispose());
            var (build50, build99, metadata99) = await WaitsAsync(data, speed);
            Console.WriteLine($"| {size} | {Display(build50)} | {Display(build99)} | {Display(metadata99)} | {Display(Math.Max(0, drained))} |");
        }
        return 0;
    }

    /// <summary>Each publication becomes a crate, a version and its metadata job at its time of day (new publications' priority).</summary>
    /// <remarks>Names carry the fleet's size: the store keeps the archives of the fleets before, and an archive is never replaced.</remarks>
    private static async Task FeedAsync(NpgsqlDataSource data, IReadOnlyList<(double At, bool Binary)> arrivals, double speed, long started, int fleet)
    {
        for (var i = 0; i < arrivals.Count; i++)
        {
            var due = TimeSpan.FromSeconds(arrivals[i].At / speed) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
            await using var publish = data.CreateCommand($"""
                WITH crate AS (INSERT INTO crates (name) VALUES ($1) RETURNING id),
                     version AS (INSERT INTO versions (crate_id, version, checksum, yanked, features, dependency_count)
                                 SELECT id, '1.0.0', repeat('0', 64), false, jsonb_build_object(), 0 FROM crate RETURNING id)
                INSERT INTO jobs (version_id, kind, state, priority, attempt, claims)
                SELECT id, {EnumText.Sql(JobKind.Metadata)}, {EnumText.Sql(JobState.Queued)}, 10, 0, 0 FROM version
                """);
            publish.Parameters.Add(new NpgsqlParameter<string> { TypedValue = (arrivals[i].Binary ? "bin-" : "lib-") + fleet.ToString(CultureInfo.InvariantCulture) + "-" + i.ToString(CultureInfo.InvariantCulture) });
            await publish.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Classification takes milliseconds in memory: the result goes back at once, naming a binary when the
    /// publication has one.</summary>
    private static async Task ClassifyAsync(SimulatedBuilder builder, IReadOnlyList<(double At, bool Binary)> arrivals, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (await builder.RequestAsync(Metadata, stop) is not { } job)
            {
                await Task.Delay(20, stop);
                continue;
            }
            IReadOnlyList<string> binaries = job.Crate.StartsWith("bin-", StringComparison.Ordinal) ? ["tool"] : [];
            await builder.FinishAsync(new JobFinished(job.JobId, JobOutcome.Succeeded, 5, 0, null, binaries, null), stop);
        }
    }

    /// <summary>Holds each build for a measured build time, scaled to the replay, then uploads and reports it.</summary>
    private static async Task BuildAsync(SimulatedBuilder builder, HttpClient http, DayOfPublications day, Random random, double speed, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (await builder.RequestAsync(Builds, stop) is not { } job)
            {
                await Task.Delay(20, stop);
                continue;
            }
            double seconds;
            lock (random)
            {
                seconds = day.BuildTime(random);
            }
            await Task.Delay(TimeSpan.FromSeconds(seconds / speed), stop);
            var archive = RandomNumberGenerator.GetBytes(4096);
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(archive));
            using var upload = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/jobs/{job.JobId}/artifacts/{ArtifactNames.Archive(job.Crate, job.Version, job.Target!)}")
            {
                Content = new ByteArrayContent(archive),
            };
            upload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", job.UploadToken);
            upload.Headers.Add("X-Artifact-Sha256", sha256);
            (await http.SendAsync(upload, stop)).EnsureSuccessStatusCode();
            var record = new BuildRecord("sha256:" + new string('0', 64), "rustc (simulated)", "version = 4\n", sha256, new Dictionary<string, string> { ["tool"] = sha256 });
            await builder.FinishAsync(new JobFinished(job.JobId, JobOutcome.Succeeded, (long)(seconds * 1000), 0, null, ["tool"], null, null, record), stop);
        }
    }

    private static async Task ResetAsync(NpgsqlDataSource data)
    {
        await using var reset = data.CreateCommand("DELETE FROM crates");
        await reset.ExecuteNonQueryAsync();
    }

    private static async Task<long> QueueLengthAsync(NpgsqlDataSource data)
    {
        await using var count = data.CreateCommand($"SELECT count(*) FROM jobs WHERE state IN ({EnumText.Sql(JobState.Queued)}, {EnumText.Sql(JobState.Running)})");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Build waits (queued to claimed) p50 and p99, and the classification wait p99, in the day's seconds.</summary>
    private static async Task<(double Build50, double Build99, double Metadata99)> WaitsAsync(NpgsqlDataSource data, double speed)
    {
        await using var waits = data.CreateCommand($"""
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at)) FILTER (WHERE kind = {EnumText.Sql(JobKind.Binary)}),
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at)) FILTER (WHERE kind = {EnumText.Sql(JobKind.Binary)}),
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at)) FILTER (WHERE kind = {EnumText.Sql(JobKind.Metadata)})
            FROM jobs
            """);
        await using var reader = await waits.ExecuteReaderAsync();
        await reader.ReadAsync();
        double At(int i) => reader.IsDBNull(i) ? 0 : reader.GetDouble(i) * speed;
        return (At(0), At(1), At(2));
    }

    private static string Display(double seconds) => seconds switch
    {
        < 60 => $"{seconds:N0} s",
        < 3600 => $"{seconds / 60:N1} min",
        _ => $"{seconds / 3600:N1} h",
    };
}
