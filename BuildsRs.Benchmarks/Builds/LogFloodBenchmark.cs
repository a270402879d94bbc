using System.Buffers.Binary;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace BuildsRs.Benchmarks.Builds;

/// <summary>
/// What a build that floods its output costs the service: a crate whose build script emits a million short
/// <c>cargo:warning=</c> lines (cargo prints each one) is built by a running Builder; then the rows its log took, the
/// Api's CPU seconds over the build, the events a live page of it is sent, and the job page's render time and size.
/// </summary>
internal static class LogFloodBenchmark
{
    private const string Crate = "log-flood";
    private const string Version = "0.1.0";

    public static async Task<int> RunAsync(string database, Uri registry, string publishToken, Uri api, int apiProcess, Uri web, int lines, TimeSpan patience)
    {
        await using var data = NpgsqlDataSource.Create(database);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var crate = FloodingCrate(lines);
        await PublishAsync(http, registry, publishToken, crate);
        var versionId = await BuildOverheadBenchmark.AddVersionAsync(data, Crate, Version, Convert.ToHexStringLower(SHA256.HashData(crate)));

        var cpuBefore = CpuSeconds(apiProcess);
        var started = Stopwatch.GetTimestamp();
        var jobId = await QueueAsync(data, versionId);
        var state = await WaitAsync(data, jobId, patience);
        var took = Stopwatch.GetElapsedTime(started);
        var cpu = CpuSeconds(apiProcess) - cpuBefore;

        var (rows, characters) = await LogSizeAsync(data, jobId);
        Console.WriteLine($"a build script printing {lines:N0} cargo:warning lines; job {jobId} {state} after {took.TotalSeconds:F0} s");
        Console.WriteLine($"{"log rows written",-34} {rows,14:N0}");
        Console.WriteLine($"{"log characters stored",-34} {characters,14:N0}");
        Console.WriteLine($"{"Api CPU seconds over the build",-34} {cpu,14:F1}");
        if (state is "running" or "queued")
        {
            Console.WriteLine($"the job did not end within {patience.TotalMinutes:F0} min: the figures above are what it cost so far");
            return 0;
        }

        // What a live page is sent: the stream of a finished job sends its whole log, chunk by chunk, then its end.
        var streamed = Stopwatch.GetTimestamp();
        var stream = await http.GetStringAsync(new Uri(api, $"api/v1/jobs/{jobId}/log/stream"));
        var streamTime = Stopwatch.GetElapsedTime(streamed).TotalMilliseconds;
        Console.WriteLine($"{"live stream: log events",-34} {CountOf(stream, "event: log"),14:N0} (read whole in {streamTime:F0} ms)");

        var renders = new List<double>();
        var (bytes, spans) = (0, 0);
        for (var run = 0; run < 5; run++)
        {
            var rendered = Stopwatch.GetTimestamp();
            var page = await http.GetStringAsync(new Uri(web, $"jobs/{jobId}"));
            renders.Add(Stopwatch.GetElapsedTime(rendered).TotalMilliseconds);
            (bytes, spans) = (Encoding.UTF8.GetByteCount(page), CountOf(page, "<span"));
        }
        Console.WriteLine($"{"job page render (median of 5)",-34} {renders.Order().ElementAt(2),11:F0} ms");
        Console.WriteLine($"{"job page size",-34} {bytes,14:N0} bytes, {spans:N0} spans");
        return 0;
    }

    /// <summary>A binary crate whose build script floods its output; the build itself is trivial.</summary>
    private static byte[] FloodingCrate(int lines)
    {
        var root = $"{Crate}-{Version}/";
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, content) in new[]
            {
                ("Cargo.toml", $"[package]\nname = \"{Crate}\"\nversion = \"{Version}\"\nedition = \"2021\"\nbuild = \"build.rs\"\n"),
                ("build.rs", $"fn main() {{ for i in 0..{lines} {{ println!(\"cargo:warning=w{{i}}\"); }} }}\n"),
                ("src/main.rs", "fn main() { println!(\"flooded\"); }\n"),
            })
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, root + name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
            }
        }
        return output.ToArray();
    }

    /// <summary>cargo's publish request: the length-prefixed metadata JSON, then the length-prefixed <c>.crate</c>.</summary>
    private static async Task PublishAsync(HttpClient http, Uri registry, string token, byte[] crate)
    {
        var metadata = Encoding.UTF8.GetBytes($$$"""{"name":"{{{Crate}}}","vers":"{{{Version}}}","deps":[],"features":{}}""");
        var body = new byte[8 + metadata.Length + crate.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)metadata.Length);
        metadata.CopyTo(body, 4);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4 + metadata.Length), (uint)crate.Length);
        crate.CopyTo(body, 8 + metadata.Length);
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(registry, "api/v1/crates/new")) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("Authorization", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<long> QueueAsync(NpgsqlDataSource data, long versionId)
    {
        await using var queue = data.CreateCommand(
            "INSERT INTO jobs (version_id, kind, target, state, priority, attempt, claims) VALUES ($1, 'binary', 'x86_64-unknown-linux-gnu', 'queued', 0, 0, 0) RETURNING id");
        queue.Parameters.Add(new NpgsqlParameter<long> { TypedValue = versionId });
        return (long)(await queue.ExecuteScalarAsync())!;
    }

    private static async Task<string> WaitAsync(NpgsqlDataSource data, long jobId, TimeSpan patience)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(patience.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            await using var poll = data.CreateCommand("SELECT state FROM jobs WHERE id = $1");
            poll.Parameters.Add(new NpgsqlParameter<long> { TypedValue = jobId });
            var state = (string)(await poll.ExecuteScalarAsync())!;
            if (state is "succeeded" or "failed" or "cancelled" || Stopwatch.GetTimestamp() > deadline)
            {
                return state;
            }
            await Task.Delay(500);
        }
    }

    private static async Task<(long Rows, long Characters)> LogSizeAsync(NpgsqlDataSource data, long jobId)
    {
        await using var command = data.CreateCommand("SELECT count(*), coalesce(sum(length(text)), 0) FROM job_logs WHERE job_id = $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = jobId });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>User and system time of a process so far (/proc/PID/stat, in clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int process)
    {
        var stat = File.ReadAllText($"/proc/{process}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }

    private static int CountOf(string text, string part)
    {
        var (count, at) = (0, 0);
        while ((at = text.IndexOf(part, at, StringComparison.Ordinal)) >= 0)
        {
            (count, at) = (count + 1, at + part.Length);
        }
        return count;
    }
}
