using System.Diagnostics;
using Aspire.Hosting.Testing;
using BuildsRs.Api.Infrastructure;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data.Model;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.SystemTests;

/// <summary>A builder that dies in the middle of a build costs time, never a build: another builder does it, once.</summary>
[Collection(SystemTestGroup.Name)]
public sealed class BuilderFaultTests(BuildsRsAppFixture fixture) : IDisposable
{
    private const string Crate = "buildsrs-slow-build";
    // The crate is built for every target; the test follows one of them.
    private const string Target = RepositoryPaths.HostTarget;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);
    private readonly string work = Path.Combine(Path.GetTempPath(), "buildsrs-tests-fault-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(work, recursive: true);

    [Fact]
    public async Task A_builder_killed_mid_build_loses_the_job_after_its_lease_and_the_other_builder_builds_it_once()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var registry = new Uri(fixture.App.GetEndpoint("registry", "http"), "index/");
        var cargo = await CargoClient.CreateAsync(Path.Combine(work, "cargo"), registry, fixture.Secret("registry.token"));
        await cargo.PublishAsync(Crate, "1.0.0", manifest: CargoClient.BuildOnlyFor(Target), buildRs: """
            fn main() {
                std::thread::sleep(std::time::Duration::from_secs(20));
            }
            """);
        await using var db = await fixture.CreateDbContextAsync();

        var job = await WaitForAsync(() => db.Jobs.AsNoTracking().Include(j => j.Builder)
            .SingleOrDefaultAsync(j => j.Version.Crate.Name == Crate && j.Kind == JobKind.Binary && j.Target == Target && j.State == JobState.Running
                && db.JobLogs.Any(l => l.JobId == j.Id && l.Stage == "build" && l.Text.Contains("Compiling " + Crate)), timeout.Token), timeout.Token);
        var victim = job.Builder!.Name;
        KillBuilder(victim);
        var killedAt = Stopwatch.GetTimestamp();

        var artifact = await WaitForAsync(() => db.Artifacts.AsNoTracking().Include(a => a.Job).ThenInclude(j => j.Builder)
            .SingleOrDefaultAsync(a => a.Job.Version.Crate.Name == Crate && a.Job.Target == Target && a.Job.State == JobState.Succeeded, timeout.Token), timeout.Token);

        Assert.Equal(job.Id, artifact.JobId);
        Assert.NotEqual(victim, artifact.Job.Builder!.Name);
        Assert.Equal(2, artifact.Job.Claims);
        Assert.Equal(1, await db.Jobs.CountAsync(j => j.Version.Crate.Name == Crate && j.Kind == JobKind.Binary && j.Target == Target));
        Assert.Equal(1, await db.Artifacts.CountAsync(a => a.Job.Version.Crate.Name == Crate && a.Job.Target == Target));
        var storage = ArtifactStorageSettings.Parse(await fixture.App.GetConnectionStringAsync("s3") ?? "");
        using var s3 = storage.CreateClient();
        var stored = await s3.ListObjectsV2Async(new() { BucketName = storage.Bucket, Prefix = $"crates/{Crate}/1.0.0/{Target}/" });
        Assert.Equal([artifact.StorageKey], stored.S3Objects.Select(o => o.Key));
        Console.WriteLine($"Rebuilt by {artifact.Job.Builder.Name} {Stopwatch.GetElapsedTime(killedAt).TotalSeconds:F0} s after {victim} was killed");
    }

    /// <summary>
    /// SIGKILL, no goodbye: the process that holds the builder's key slot. A local builder named <c>{host}-{slot}</c>
    /// keeps <c>{host}/builder-{slot}.lock</c> of the key folder open for as long as it lives.
    /// </summary>
    private void KillBuilder(string name)
    {
        var dash = name.LastIndexOf('-');
        var lockFile = Path.Combine(fixture.BuilderKeyDirectory, name[..dash], $"builder-{name[(dash + 1)..]}.lock");
        var holders = Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(p => p!.All(char.IsAsciiDigit))
            .Where(pid => HoldsOpen(pid!, lockFile)).Select(pid => int.Parse(pid!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        using var builder = Process.GetProcessById(Assert.Single(holders));
        builder.Kill();
        builder.WaitForExit();
    }

    private static bool HoldsOpen(string pid, string path)
    {
        try
        {
            return Directory.GetFiles($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget == path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // the process ended while we looked
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> poll, CancellationToken cancellationToken) where T : class
    {
        while (true)
        {
            if (await poll() is { } found)
            {
                return found;
            }
            await Task.Delay(250, cancellationToken);
        }
    }
}
