using Aspire.Hosting.Testing;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;

namespace BuildsRs.Tests.SystemTests;

/// <summary>The builders run the metadata jobs that registry sync queued, in the sandbox, and the Api fans them out.</summary>
[Collection(SystemTestGroup.Name)]
public sealed class MetadataJobsTests(BuildsRsAppFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static readonly string[] Crates = ["hexyl", "semver", "cargo-binutils", "protobuf-codegen"];

    [Fact]
    public async Task Binary_crates_get_one_binary_job_per_enabled_target_and_libraries_none()
    {
        await using var db = await fixture.CreateDbContextAsync();
        await WaitForMetadataAsync(db);

        var versions = await db.Versions.Include(v => v.Crate).Include(v => v.Jobs)
            .Where(v => Crates.Contains(v.Crate.Name)).ToDictionaryAsync(v => v.Crate.Name);
        Assert.Equal(["hexyl"], versions["hexyl"].BinaryTargets!);
        Assert.Equal(19, versions["cargo-binutils"].BinaryTargets!.Length);
        Assert.Equal(2, versions["protobuf-codegen"].BinaryTargets!.Length);
        Assert.Empty(versions["semver"].BinaryTargets!);
        foreach (var name in new[] { "hexyl", "cargo-binutils", "protobuf-codegen" })
        {
            Assert.Equal(PublishedCrates.Targets, versions[name].Jobs.Where(j => j.Kind == JobKind.Binary).Select(j => j.Target!).Order(StringComparer.Ordinal));
        }
        Assert.DoesNotContain(versions["semver"].Jobs, j => j.Kind == JobKind.Binary);
        Assert.All(versions.Values, v => Assert.Equal(JobOutcome.Succeeded, v.Jobs.Single(j => j.Kind == JobKind.Metadata).Outcome));
    }

    private static async Task WaitForMetadataAsync(BuildsRsDbContext db)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        // Registry sync queues them; move these to the front of the queue.
        while (await db.Jobs.CountAsync(j => j.Kind == JobKind.Metadata && Crates.Contains(j.Version.Crate.Name), timeout.Token) < Crates.Length)
        {
            await Task.Delay(250, timeout.Token);
        }
        await db.Jobs.Where(j => j.Kind == JobKind.Metadata && j.State == JobState.Queued && Crates.Contains(j.Version.Crate.Name))
            .ExecuteUpdateAsync(j => j.SetProperty(x => x.Priority, 1000), timeout.Token);
        while (await db.Jobs.CountAsync(j => j.Kind == JobKind.Metadata && j.State == JobState.Succeeded && Crates.Contains(j.Version.Crate.Name), timeout.Token) < Crates.Length)
        {
            await Task.Delay(250, timeout.Token);
        }
    }
}
