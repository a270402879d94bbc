using System.Text.Json;
using BuildsRs.Builder.Infrastructure;
using BuildsRs.Builder.Jobs.Classification;
using BuildsRs.Contracts.Builders;
using BuildsRs.Contracts.Jobs;
using Microsoft.Extensions.Options;

namespace BuildsRs.Builder.Jobs;

/// <summary>
/// Reads a crate's binary targets and its author's <c>[package.metadata.buildsrs]</c> settings. The <c>.crate</c> is read
/// in memory and its manifest classified by cargo's own rules (<see cref="CargoTargets"/>): nothing of the crate runs and
/// nothing is written, so hundreds of crates a second fit on one builder. A manifest those rules say cargo would refuse
/// goes to <c>cargo metadata --no-deps</c> in the sandbox, so that the failure is cargo's, in cargo's words.
/// </summary>
public sealed class MetadataJob(CrateDownloader downloader, Sandbox sandbox, BuildImages images, IOptions<BuilderOptions> options)
{
    public async Task<(IReadOnlyList<string> Binaries, BuildSettings? Settings)> RunAsync(JobAssigned job, CancellationToken cancellationToken)
    {
        var crate = await downloader.DownloadAsync(job.DownloadUrl, job.Checksum, cancellationToken);
        using (BuilderTelemetry.StartStep("metadata"))
        {
            var listing = CrateListing.Read(crate, job.Crate, job.Version);
            try
            {
                var package = PackageManifest.Parse(listing.Manifest);
                return (CargoTargets.BinariesOf(package, listing.Files), package.Settings);
            }
            catch (JobFailedException refused) when (refused.Outcome == JobOutcome.BuildFailed)
            {
                // Cargo has the last word on what it refuses.
            }
        }
        return await InSandboxAsync(job, crate, cancellationToken);
    }

    /// <summary>Classifies a <c>.crate</c> with <c>cargo metadata --no-deps</c> in a sandbox of its own.</summary>
    public async Task<(IReadOnlyList<string> Binaries, BuildSettings? Settings)> InSandboxAsync(JobAssigned job, byte[] crate, CancellationToken cancellationToken)
    {
        var work = Path.Combine(options.Value.WorkDirectory, $"job-{job.JobId}-{Guid.NewGuid():N}");
        try
        {
            string source;
            using (BuilderTelemetry.StartStep("unpack"))
            {
                source = CrateUnpacker.Unpack(crate, job.Crate, job.Version, work, cancellationToken);
            }
            using var step = BuilderTelemetry.StartStep("cargo metadata");
            var run = await sandbox.RunAsync(images.ForMetadata(),
                ["cargo", "metadata", "--no-deps", "--offline", "--format-version", "1", "--manifest-path", "/src/Cargo.toml"],
                [$"{source}:/src:ro"], options.Value.Sandbox.MetadataTimeout, cancellationToken);
            if (run.OutOfMemory)
            {
                throw new JobFailedException(JobOutcome.OutOfMemory, $"cargo metadata ran out of memory at {SandboxLimits.Describe(options.Value.Sandbox.MemoryBytes)}", run.ExitCode);
            }
            if (run.TimedOut)
            {
                throw new JobFailedException(JobOutcome.TimedOut, $"cargo metadata timed out after {SandboxLimits.Describe(options.Value.Sandbox.MetadataTimeout)}", run.ExitCode);
            }
            if (run.ExitCode != 0)
            {
                throw new JobFailedException(JobOutcome.BuildFailed, $"cargo metadata failed: {Tail(run.Stderr)}", run.ExitCode);
            }
            return Read(run.Stdout, job.Crate);
        }
        finally
        {
            WorkFolder.Remove(work);
        }
    }

    /// <summary>The binary targets and build settings of the package named <paramref name="crate"/>.</summary>
    public static (IReadOnlyList<string> Binaries, BuildSettings? Settings) Read(string metadataJson, string crate)
    {
        using var document = JsonDocument.Parse(metadataJson);
        var package = document.RootElement.GetProperty("packages").EnumerateArray()
            .Single(p => string.Equals(p.GetProperty("name").GetString(), crate, StringComparison.OrdinalIgnoreCase));
        var binaries = package.GetProperty("targets").EnumerateArray()
            .Where(t => t.GetProperty("kind").EnumerateArray().Any(k => k.GetString() == "bin"))
            .Select(t => t.GetProperty("name").GetString()!)
            .ToList();
        BuildSettings? settings = null;
        if (package.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("buildsrs", out var buildsrs) && buildsrs.ValueKind == JsonValueKind.Object)
        {
            try
            {
                settings = buildsrs.Deserialize(BuilderJsonContext.Default.BuildSettings);
            }
            catch (JsonException ex)
            {
                throw new JobFailedException(JobOutcome.BuildFailed, $"[package.metadata.buildsrs] is not valid: {ex.Message}");
            }
        }
        return (binaries, settings);
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];
}
