using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Amazon.S3;
using Aspire.Hosting.Testing;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Data.Model;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.SystemTests;

/// <summary>
/// The product's promise, end to end: a crate published with real cargo is synced, its metadata read, its binary
/// built in the sandbox by one of the builders and stored; the stored archive unpacks to a binary that runs.
/// </summary>
[Collection(SystemTestGroup.Name)]
public sealed class BuildEndToEndTests(BuildsRsAppFixture fixture) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(6);
    private readonly string work = Path.Combine(Path.GetTempPath(), "buildsrs-tests-e2e-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task A_published_crate_is_built_stored_and_its_binary_runs()
    {
        var registry = new Uri(fixture.App.GetEndpoint("registry", "http"), "index/");
        var cargo = await CargoClient.CreateAsync(Path.Combine(work, "cargo"), registry, fixture.Secret("registry.token"));
        var started = Stopwatch.GetTimestamp();

        await cargo.PublishAsync("buildsrs-hello", "1.0.0",
            "fn main() { println!(\"hello from buildsrs, {} args\", std::env::args().count() - 1); }\n");
        var artifact = await WaitForArtifactAsync("buildsrs-hello");

        var storage = ArtifactStorageSettings.Parse(await fixture.App.GetConnectionStringAsync("s3") ?? "");
        using var s3 = storage.CreateClient();
        using var stored = await s3.GetObjectAsync(storage.Bucket, artifact.StorageKey);
        using var bytes = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(bytes);
        Assert.Equal("buildsrs-hello-1.0.0-x86_64-unknown-linux-gnu.tar.gz", artifact.FileName);
        Assert.Equal(artifact.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray())));
        Assert.Equal(artifact.Size, bytes.Length);

        bytes.Position = 0;
        var unpacked = Path.Combine(work, "unpacked");
        Directory.CreateDirectory(unpacked);
        await TarFile.ExtractToDirectoryAsync(new GZipStream(bytes, CompressionMode.Decompress), unpacked, overwriteFiles: false);
        Assert.Equal(["buildsrs-hello"], Directory.GetFiles(unpacked).Select(Path.GetFileName));
        var run = await Processes.RunAsync(Path.Combine(unpacked, "buildsrs-hello"), "a", "b");
        Assert.Equal("hello from buildsrs, 2 args", run.Output.Trim());
        Console.WriteLine($"Published to runnable binary in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
    }

    private async Task<Artifact> WaitForArtifactAsync(string crate)
    {
        await using var db = await fixture.CreateDbContextAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        while (true)
        {
            var artifact = await db.Artifacts.AsNoTracking().FirstOrDefaultAsync(a => a.Job.Version.Crate.Name == crate, timeout.Token);
            if (artifact is not null)
            {
                return artifact;
            }
            var failed = await db.Jobs.Where(j => j.Version.Crate.Name == crate && j.State == JobState.Failed).Select(j => j.Error).FirstOrDefaultAsync(timeout.Token);
            Assert.True(failed is null, $"a job of {crate} failed: {failed}");
            await Task.Delay(500, timeout.Token);
        }
    }
}
