using System.Diagnostics;
using System.Security.Cryptography;
using BuildsRs.Builder;
using BuildsRs.Builder.Infrastructure;
using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using Docker.DotNet;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BuildsRs.Benchmarks.Builds;

/// <summary>
/// Classified versions per second on one builder: every crate of the local registry, downloaded from it and
/// classified the builder's way (in memory, <see cref="BuilderOptions.MetadataSlots"/> at once) and today's former way
/// (one <c>cargo metadata</c> container per version, one at a time), in the same run. Both report the same binaries.
/// </summary>
internal static class ClassificationBenchmark
{
    private const int Rounds = 3;

    public static async Task<int> RunAsync(Uri registry, string seed, string work, string image)
    {
        var crates = Directory.EnumerateFiles(Path.Combine(seed, "crates"), "*.crate", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select((file, i) =>
            {
                var name = Path.GetFileName(Path.GetDirectoryName(file))!;
                var version = Path.GetFileNameWithoutExtension(file)[(name.Length + 1)..];
                return new JobAssigned(i, JobKind.Metadata, name, version, new Uri(registry, $"api/v1/crates/{name}/{version}/download").ToString(),
                    Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))), null, DateTimeOffset.MaxValue, null, "");
            }).ToList();
        var options = Options.Create(new BuilderOptions
        {
            Images = new() { ["x86_64-unknown-linux-gnu"] = image }, WorkDirectory = work, Sandbox = new SandboxLimits(),
        });
        using var docker = new DockerClientConfiguration(options.Value.DockerEndpoint).CreateClient();
        using var http = new HttpClient();
        var downloader = new CrateDownloader(http);
        var metadata = new MetadataJob(downloader, new Sandbox(docker, options), new BuildImages(docker, options, NullLogger<BuildImages>.Instance), options);
        Console.WriteLine($"{crates.Count} versions of the local registry at {registry}");

        var inMemory = new List<double>();
        var results = new Dictionary<long, string>();
        for (var round = 0; round < Rounds; round++)
        {
            var started = Stopwatch.GetTimestamp();
            await Parallel.ForEachAsync(crates, new ParallelOptions { MaxDegreeOfParallelism = options.Value.MetadataSlots }, async (job, cancellationToken) =>
            {
                var outcome = await ClassifyAsync(() => metadata.RunAsync(job, cancellationToken));
                lock (results)
                {
                    results[job.JobId] = outcome;
                }
            });
            inMemory.Add(crates.Count / Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        var sandboxStarted = Stopwatch.GetTimestamp();
        var differences = 0;
        foreach (var job in crates)
        {
            var outcome = await ClassifyAsync(async () => await metadata.InSandboxAsync(job, await downloader.DownloadAsync(job.DownloadUrl, job.Checksum, default), default));
            differences += outcome == results[job.JobId] ? 0 : 1;
        }
        var inSandbox = crates.Count / Stopwatch.GetElapsedTime(sandboxStarted).TotalSeconds;

        Console.WriteLine();
        Console.WriteLine("| path | versions/s |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine($"| in memory, {options.Value.MetadataSlots} at once (median of {Rounds} rounds: {string.Join(", ", inMemory.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}) | {inMemory.Order().ElementAt(Rounds / 2):N0} |");
        Console.WriteLine($"| one cargo metadata container per version, one at a time | {inSandbox:N1} |");
        Console.WriteLine($"versions classified differently by the two paths: {differences}");
        return differences == 0 ? 0 : 1;
    }

    /// <summary>What a classification gave: the binaries and settings, or the outcome it failed with.</summary>
    private static async Task<string> ClassifyAsync(Func<Task<(IReadOnlyList<string> Binaries, BuildSettings? Settings)>> classify)
    {
        try
        {
            var (binaries, settings) = await classify();
            return string.Join(',', binaries.Order(StringComparer.Ordinal)) + "|" + (settings is null ? "" : System.Text.Json.JsonSerializer.Serialize(settings, BuilderJsonContext.Default.BuildSettings));
        }
        catch (JobFailedException failed)
        {
            return $"failed: {failed.Outcome}";
        }
    }
}
