using System.Diagnostics;
using BuildsRs.Api.Jobs;
using BuildsRs.Data;
using BuildsRs.Tests.Fixtures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BuildsRs.Tests.ApiTests;

/// <summary>The Api's live logs against real Postgres: watchers of a job share one reader, and streams are capped.</summary>
public sealed class LiveLogsTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>, IAsyncLifetime
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private string connectionString = null!;
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        connectionString = await postgres.CreateDatabaseAsync();
        await using (var db = PostgresServerFixture.CreateContext(connectionString))
        {
            await db.Database.MigrateAsync();
        }
        services = new ServiceCollection()
            .AddDbContext<BuildsRsDbContext>(options => BuildsRsDbContext.ConfigureConventions(options.UseNpgsql(connectionString)))
            .BuildServiceProvider();
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    [Fact]
    public async Task A_thousand_watchers_of_a_running_job_get_every_chunk_and_its_end_from_one_poll_per_interval()
    {
        var job = await RunningJobs.InsertAsync(connectionString);
        await RunningJobs.LogAsync(connectionString, job, "before anyone watched\n");
        var live = LiveLogs(new LiveLogOptions { PollInterval = PollInterval });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var started = Stopwatch.GetTimestamp();

        var watchers = Enumerable.Range(0, 1000).Select(_ => ReadAsync(live.FollowAsync(job, -1, timeout.Token))).ToList();
        var late = ReadAsync(live.FollowAsync(job, 1, timeout.Token));
        foreach (var line in new[] { "compiling\n", "linking\n", "error: oops\n" })
        {
            await Task.Delay(PollInterval * 3);
            await RunningJobs.LogAsync(connectionString, job, line);
        }
        await RunningJobs.EndAsync(connectionString, job);
        var seen = await Task.WhenAll(watchers);
        var elapsed = Stopwatch.GetElapsedTime(started);

        string[] expected = ["state running", "log 1 before anyone watched\n", "log 2 compiling\n", "log 3 linking\n", "log 4 error: oops\n", "end failed"];
        Assert.All(seen, events => Assert.Equal(expected, events));
        var lateSeen = await late;
        Assert.Equal(expected.Where((_, i) => i != 1), lateSeen);
        // One reader for all: a poll per interval while the job ran, however many watch (each polling would be 1000s).
        Assert.InRange(live.Polls, 2, elapsed / PollInterval + 2);
    }

    [Fact]
    public void Streams_are_capped_per_client_and_in_all_and_a_closed_stream_gives_its_place_back()
    {
        var live = LiveLogs(new LiveLogOptions { PerClient = 2, Total = 3 });

        var first = live.TryOpen("203.0.113.1");
        var second = live.TryOpen("203.0.113.1");
        var third = live.TryOpen("203.0.113.1");
        var other = live.TryOpen("203.0.113.2");
        var beyondTotal = live.TryOpen("203.0.113.3");
        first!.Dispose();
        first.Dispose();
        var again = live.TryOpen("203.0.113.1");
        var stillFull = live.TryOpen("203.0.113.3");

        Assert.NotNull(second);
        Assert.Null(third);
        Assert.NotNull(other);
        Assert.Null(beyondTotal);
        Assert.NotNull(again);
        Assert.Null(stillFull);
    }

    [Fact]
    public async Task A_watcher_of_a_job_that_does_not_exist_gets_an_error_event()
    {
        var live = LiveLogs(new LiveLogOptions { PollInterval = PollInterval });

        var events = await ReadAsync(live.FollowAsync(long.MaxValue, -1, CancellationToken.None));

        Assert.Equal([$"error no job {long.MaxValue}"], events);
    }

    private LiveLogs LiveLogs(LiveLogOptions options) =>
        new(services.GetRequiredService<IServiceScopeFactory>(), Options.Create(options), NullLogger<LiveLogs>.Instance);

    private static async Task<string[]> ReadAsync(IAsyncEnumerable<LiveLogEvent> events)
    {
        var seen = new List<string>();
        await foreach (var item in events)
        {
            seen.Add(item.Type == "log" ? $"log {item.Sequence} {item.Text}" : $"{item.Type} {item.Text}");
        }
        return [.. seen];
    }
}
