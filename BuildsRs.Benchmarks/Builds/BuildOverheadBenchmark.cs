using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using BuildsRs.Builder;
using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Registry;
using Npgsql;

namespace BuildsRs.Benchmarks.Builds;

/// <summary>
/// What the system adds to a build: a running Builder's time from claiming a binary job to the artifact being stored
/// (download, checksum, unpack, both sandboxed phases, packing, upload, verification), set against bare
/// <c>docker run</c>s of the same two commands in the same image with the same limits; then the same system builds
/// for each cross target, set against the native x86_64 build.
/// </summary>
internal static class BuildOverheadBenchmark
{
    private const string Target = "x86_64-unknown-linux-gnu";

    /// <summary>A crate without dependencies, one with a tree of about thirty, and one with a smaller tree that builds
    /// for Windows too (the local registry's hexyl does not: Debian's terminal_size drops its Windows dependency).</summary>
    private static readonly (string Name, string Version)[] Crates = [("xml-rs", "0.8.3"), ("hexyl", "0.8.0"), ("lscolors", "0.13.0")];

    public static async Task<int> RunAsync(string database, Uri registry, string image, string work, int repetitions, IReadOnlyList<string> crossTargets)
    {
        await using var data = NpgsqlDataSource.Create(database);
        using var http = new HttpClient();
        Console.WriteLine($"{"crate",-22} {"system (claim to stored)",26} {"bare docker run",18} {"overhead",18}");
        var native = new Dictionary<string, (long VersionId, double Seconds)>();
        foreach (var (name, version) in Crates)
        {
            var checksum = await ChecksumAsync(http, registry, name, version);
            var versionId = await AddVersionAsync(data, name, version, checksum);
            var system = new List<double>();
            for (var attempt = 0; attempt < repetitions; attempt++)
            {
                system.Add(await BuildInSystemAsync(data, versionId, Target, attempt));
            }
            native[name] = (versionId, Median(system));

            var source = await UnpackAsync(http, registry, name, version, Path.Combine(work, name));
            var bare = new List<double>();
            for (var run = 0; run < repetitions; run++)
            {
                bare.Add(await BuildBareAsync(image, source, new Uri(registry, "index/"), Path.Combine(work, name, $"run-{run}")));
            }

            var (s, b) = (Median(system), Median(bare));
            Console.WriteLine($"{name + " " + version,-22} {s,24:F2} s {b,16:F2} s {s - b,8:F2} s {(s - b) / b,7:P1}");
        }
        Console.WriteLine($"medians of {repetitions} runs each; the system's runs are one Builder taking queued jobs from the Api");

        Console.WriteLine();
        Console.WriteLine($"{"crate",-22} {"target",-28} {"system (claim to stored)",26} {"against x86_64",16}");
        foreach (var (name, version) in Crates)
        {
            var (versionId, nativeSeconds) = native[name];
            Console.WriteLine($"{name + " " + version,-22} {Target,-28} {nativeSeconds,24:F2} s {1,15:F2}x");
            foreach (var target in crossTargets)
            {
                var times = new List<double>();
                try
                {
                    for (var attempt = 0; attempt < repetitions; attempt++)
                    {
                        times.Add(await BuildInSystemAsync(data, versionId, target, attempt));
                    }
                }
                catch (BuildFailedException failed)
                {
                    // A crate that cannot be built for a target says why, and the other targets still get their figures.
                    Console.WriteLine($"{name + " " + version,-22} {target,-28} {"failed: " + Shortened(failed.Message)}");
                    continue;
                }
                Console.WriteLine($"{name + " " + version,-22} {target,-28} {Median(times),24:F2} s {Median(times) / nativeSeconds,15:F2}x");
            }
        }
        return 0;
    }

    /// <summary>The first error rustc or cargo printed, else the start of the reason.</summary>
    private static string Shortened(string reason) =>
        reason.Split('\n').FirstOrDefault(l => l.StartsWith("error", StringComparison.Ordinal)) is { } error ? error
        : reason.Length <= 200 ? reason : reason[..200] + "…";

    private static async Task<string> ChecksumAsync(HttpClient http, Uri registry, string name, string version)
    {
        var lines = await http.GetStringAsync(new Uri(registry, "index/" + IndexPath.For(name)));
        return lines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(l => l.GetProperty("vers").GetString() == version).GetProperty("cksum").GetString()!;
    }

    /// <summary>A version as a registry import would record it, with its crate as its one binary.</summary>
    internal static async Task<long> AddVersionAsync(NpgsqlDataSource data, string name, string version, string checksum)
    {
        await using var command = data.CreateCommand("""
            WITH crate AS (INSERT INTO crates (name) VALUES ($1) RETURNING id)
            INSERT INTO versions (crate_id, version, checksum, yanked, features, dependency_count, binary_targets)
            SELECT id, $2, $3, false, '{}', 0, ARRAY[$1] FROM crate RETURNING id
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = version });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = checksum });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Queues one binary job and waits for it; the seconds from its claim to its artifact's record.</summary>
    private static async Task<double> BuildInSystemAsync(NpgsqlDataSource data, long versionId, string target, int attempt)
    {
        await using (var queue = data.CreateCommand(
            "INSERT INTO jobs (version_id, kind, target, state, priority, attempt, claims) VALUES ($1, 'binary', $2, 'queued', 0, $3, 0)"))
        {
            queue.Parameters.Add(new NpgsqlParameter<long> { TypedValue = versionId });
            queue.Parameters.Add(new NpgsqlParameter<string> { TypedValue = target });
            queue.Parameters.Add(new NpgsqlParameter<int> { TypedValue = attempt });
            await queue.ExecuteNonQueryAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        while (true)
        {
            await using var poll = data.CreateCommand("""
                SELECT j.state, j.error, extract(epoch FROM a.created_at - j.started_at)::float8
                FROM jobs j LEFT JOIN artifacts a ON a.job_id = j.id
                WHERE j.version_id = $1 AND j.kind = 'binary' AND j.target = $2 AND j.attempt = $3
                """);
            poll.Parameters.Add(new NpgsqlParameter<long> { TypedValue = versionId });
            poll.Parameters.Add(new NpgsqlParameter<string> { TypedValue = target });
            poll.Parameters.Add(new NpgsqlParameter<int> { TypedValue = attempt });
            await using var reader = await poll.ExecuteReaderAsync(timeout.Token);
            await reader.ReadAsync(timeout.Token);
            switch (reader.GetString(0))
            {
                case "succeeded":
                    return reader.GetDouble(2);
                case "failed":
                    throw new BuildFailedException(reader.GetString(1));
            }
            await Task.Delay(100, timeout.Token);
        }
    }

    private static async Task<string> UnpackAsync(HttpClient http, Uri registry, string name, string version, string directory)
    {
        Directory.CreateDirectory(directory);
        await using var crate = await http.GetStreamAsync(new Uri(registry, $"api/v1/crates/{name}/{version}/download"));
        await TarFile.ExtractToDirectoryAsync(new GZipStream(crate, CompressionMode.Decompress), directory, overwriteFiles: false);
        return Path.Combine(directory, $"{name}-{version}");
    }

    /// <summary>The builder's two phases as plain <c>docker run</c>s with the sandbox's limits; their seconds.</summary>
    private static async Task<double> BuildBareAsync(string image, string source, Uri registryIndex, string directory)
    {
        var vendor = WritableDirectory(Path.Combine(directory, "vendor"));
        var output = WritableDirectory(Path.Combine(directory, "out"));
        var limits = new SandboxLimits();
        string[] sandbox =
        [
            "run", "--rm", "--read-only", "-u", "1000:1000", "-w", "/tmp", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            "-m", limits.MemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--memory-swap", limits.MemoryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--cpus", limits.Cpus.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--pids-limit", limits.Pids.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tmpfs", $"/tmp:rw,exec,nosuid,size={limits.TmpBytes}",
            "-e", "HOME=/tmp", "-e", "CARGO_HOME=/tmp/cargo-home", "-e", "CARGO_TERM_COLOR=never",
        ];
        var started = Stopwatch.GetTimestamp();
        await DockerAsync([.. sandbox, "--network", "host", "-v", $"{source}:/src:ro", "-v", $"{vendor}:/vendor", image,
            "sh", "-c", BinaryJob.FetchScript(registryIndex, throughProxy: false)]);
        await DockerAsync([.. sandbox, "--network", "none", "-v", $"{source}:/src:ro", "-v", $"{vendor}:/vendor:ro", "-v", $"{output}:/out", image,
            "sh", "-c", BinaryJob.BuildScript(Target, null)]);
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task DockerAsync(string[] arguments)
    {
        using var docker = Process.Start(new ProcessStartInfo("docker", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = docker.StandardOutput.ReadToEndAsync();
        var errors = docker.StandardError.ReadToEndAsync();
        await docker.WaitForExitAsync();
        if (docker.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker run failed ({docker.ExitCode}): {await errors}{await output}");
        }
    }

    private static string WritableDirectory(string path)
    {
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);
        return path;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}

internal sealed class BuildFailedException(string reason) : Exception(reason);
