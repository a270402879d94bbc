using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Amazon.S3;
using Aspire.Hosting.Testing;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Builder.Jobs;
using BuildsRs.Contracts;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Model;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.SystemTests;

/// <summary>
/// The product's promise, end to end: a crate published with real cargo is synced, its metadata read, its binary
/// built in the sandbox for every enabled target by the builders and stored; each stored archive unpacks to a binary
/// of its target's machine that runs there (under qemu-user for the cross targets).
/// </summary>
[Collection(SystemTestGroup.Name)]
public sealed class BuildEndToEndTests(BuildsRsAppFixture fixture) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6);
    private readonly string work = Path.Combine(Path.GetTempPath(), "buildsrs-tests-e2e-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task A_published_crate_is_built_for_every_target_stored_and_each_binary_runs_on_its_machine()
    {
        var registry = new Uri(fixture.App.GetEndpoint("registry", "http"), "index/");
        var cargo = await CargoClient.CreateAsync(Path.Combine(work, "cargo"), registry, fixture.Secret("registry.token"));
        var started = Stopwatch.GetTimestamp();

        await cargo.PublishAsync("buildsrs-hello", "1.0.0",
            "fn main() { println!(\"hello from buildsrs, {} args\", std::env::args().count() - 1); }\n");
        var artifacts = await WaitForArtifactsAsync("buildsrs-hello", PublishedCrates.Targets.Count);
        Console.WriteLine($"Published to {artifacts.Count} stored builds in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");

        var storage = ArtifactStorageSettings.Parse(await fixture.App.GetConnectionStringAsync("s3") ?? "");
        using var s3 = storage.CreateClient();
        Assert.Equal(PublishedCrates.Targets, artifacts.Select(a => a.Target).Order(StringComparer.Ordinal));
        foreach (var (target, artifact) in artifacts)
        {
            using var stored = await s3.GetObjectAsync(storage.Bucket, artifact.StorageKey);
            using var bytes = new MemoryStream();
            await stored.ResponseStream.CopyToAsync(bytes);
            Assert.Equal($"buildsrs-hello-1.0.0-{target}.tar.gz", artifact.FileName);
            Assert.Equal(artifact.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray())));
            Assert.Equal(artifact.Size, bytes.Length);

            bytes.Position = 0;
            var unpacked = Path.Combine(work, target);
            Directory.CreateDirectory(unpacked);
            await TarFile.ExtractToDirectoryAsync(new GZipStream(bytes, CompressionMode.Decompress), unpacked, overwriteFiles: false);
            var windows = target.Contains("-windows-", StringComparison.Ordinal);
            var name = windows ? "buildsrs-hello.exe" : "buildsrs-hello";
            Assert.Equal([name], Directory.GetFiles(unpacked).Select(Path.GetFileName));
            var binary = Path.Combine(unpacked, name);
            Assert.Equal((TargetTriple.MachineOf(target), "dynamic"), (artifact.Machine, artifact.Linkage));
            if (windows)
            {
                Assert.Equal(TargetTriple.MachineOf(target), PeBinary.Read(binary)!.Machine);
                Assert.Equal(("console", null), (artifact.Subsystem, artifact.GlibcFloor));
                Assert.All(artifact.Dlls!, dll => Assert.True(WindowsSystemDlls.Has(dll), $"{target} needs {dll}"));
            }
            else
            {
                Assert.Equal(TargetTriple.MachineOf(target), ElfBinary.Read(binary)!.Machine);
                // The x86_64 image is a Debian 11 root, the cross images Debian 12 roots: the floor is at most their glibc.
                var newest = target == RepositoryPaths.HostTarget ? new Version(2, 31) : new Version(2, 36);
                Assert.True(Version.Parse(artifact.GlibcFloor!) <= newest, $"{target} needs glibc {artifact.GlibcFloor}");
            }
            var run = await TargetBinaries.RunAsync(target, binary, "a", "b");
            Assert.Equal("hello from buildsrs, 2 args", run.Output.Trim());
        }

        // The oldest system the x86_64 floor promises: the Debian 11 root of its build image.
        var (exitCode, output, errors) = await Processes.RunAsync("docker", "run", "--rm", "--network", "none",
            "-v", $"{Path.Combine(work, RepositoryPaths.HostTarget)}:/built:ro", RepositoryPaths.BuildImages[RepositoryPaths.HostTarget],
            "sh", "-c", "cat /etc/debian_version && /built/buildsrs-hello");
        Assert.True(exitCode == 0, errors);
        Assert.StartsWith("11.", output, StringComparison.Ordinal);
        Assert.EndsWith("hello from buildsrs, 0 args", output.Trim(), StringComparison.Ordinal);
    }

    /// <summary>Until the crate has <paramref name="count"/> stored builds, by target; fails as soon as a job of it fails.</summary>
    private async Task<IReadOnlyList<(string Target, Artifact Artifact)>> WaitForArtifactsAsync(string crate, int count)
    {
        await using var db = await fixture.CreateDbContextAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            // A stored archive is a build once its job has succeeded: the builder's result completes its record.
            var artifacts = await db.Artifacts.AsNoTracking().Where(a => a.Job.Version.Crate.Name == crate && a.Job.State == JobState.Succeeded)
                .Select(a => new { a.Job.Target, Artifact = a }).ToListAsync(timeout.Token);
            if (artifacts.Count >= count)
            {
                return [.. artifacts.Select(a => (a.Target!, a.Artifact))];
            }
            var failed = await db.Jobs.Where(j => j.Version.Crate.Name == crate && j.State == JobState.Failed).Select(j => j.Error).FirstOrDefaultAsync(timeout.Token);
            Assert.True(failed is null, $"a job of {crate} failed: {failed}");
            await Task.Delay(500, timeout.Token);
        }
    }
}
