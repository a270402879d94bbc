using BuildsRs.Api.Downloads;
using BuildsRs.Contracts.Jobs;
using BuildsRs.Data;
using BuildsRs.Data.Model;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BuildsRs.Tests.ApiTests;

/// <summary>Downloads counted in memory by several Api instances add up exactly in the database.</summary>
public sealed class DownloadCountingTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>, IAsyncLifetime
{
    private string connectionString = null!;
    private long first;
    private long second;

    public async Task InitializeAsync()
    {
        connectionString = await postgres.CreateDatabaseAsync();
        await using var db = PostgresServerFixture.CreateContext(connectionString);
        await db.Database.MigrateAsync();
        var version = new CrateVersion { Crate = new Crate { Name = "counted" }, Version = "1.0.0", Checksum = new string('0', 64) };
        var job = new Job { Version = version, Kind = JobKind.Binary, Target = "x86_64-unknown-linux-gnu", State = JobState.Succeeded };
        List<Artifact> artifacts = [Artifact(job, "a"), Artifact(job, "b")];
        db.Artifacts.AddRange(artifacts);
        await db.SaveChangesAsync();
        (first, second) = (artifacts[0].Id, artifacts[1].Id);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static Artifact Artifact(Job job, string name) => new() { Job = job, FileName = name, StorageKey = name, Sha256 = new string('0', 64) };

    [Fact]
    public async Task Two_instances_counting_and_flushing_concurrently_lose_nothing_and_count_nothing_twice()
    {
        var instances = Enumerable.Range(0, 2).Select(_ => Instance()).ToList();

        await Task.WhenAll(instances.Select(async instance =>
        {
            var downloads = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                for (var i = 0; i < 5_000; i++)
                {
                    instance.Counter.Record(i % 5 == 0 ? second : first);
                }
            })).ToList();
            while (!downloads.All(d => d.IsCompleted))
            {
                await instance.Flusher.FlushAsync(CancellationToken.None);
            }
            await instance.Flusher.StopAsync(CancellationToken.None);
        }));

        await using var db = PostgresServerFixture.CreateContext(connectionString);
        var counts = await db.DailyDownloads.ToDictionaryAsync(d => d.ArtifactId, d => d.Count);
        Assert.Equal(new Dictionary<long, long> { [first] = 32_000, [second] = 8_000 }, counts);
    }

    [Fact]
    public async Task Counts_are_written_at_shutdown_and_a_deleted_artifact_does_not_cost_the_others()
    {
        var instance = Instance();
        instance.Counter.Record(first);
        instance.Counter.Record(second);
        instance.Counter.Record(999_999);

        await instance.Flusher.StartAsync(CancellationToken.None);
        await instance.Flusher.StopAsync(CancellationToken.None);

        await using var db = PostgresServerFixture.CreateContext(connectionString);
        Assert.Equal([(first, 1L), (second, 1L)], (await db.DailyDownloads.OrderBy(d => d.ArtifactId).ToListAsync()).Select(d => (d.ArtifactId, d.Count)));
    }

    /// <summary>What one Api instance has: its own counter and flusher, on the shared database.</summary>
    private (DownloadCounter Counter, DownloadCountFlusher Flusher) Instance()
    {
        var services = new ServiceCollection()
            .AddDbContext<BuildsRsDbContext>(options => BuildsRsDbContext.ConfigureConventions(options.UseNpgsql(connectionString)))
            .BuildServiceProvider();
        var counter = new DownloadCounter();
        var flusher = new DownloadCountFlusher(counter, services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new DownloadOptions { FlushInterval = TimeSpan.FromHours(1) }), NullLogger<DownloadCountFlusher>.Instance);
        return (counter, flusher);
    }
}
